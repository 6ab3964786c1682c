import { setTimeout as sleep } from 'node:timers/promises';
import { deterministicEventId, isTransient, type EventStore } from '@spillway/event-streams';
import { ingestEvents, ingestStreamName, type IngestEvent } from '@spillway/xdm';
import { LatencyRecorder, type LatencySummary } from '../../measure/percentiles.ts';
import { epochMs } from '../../measure/timing.ts';
import { benchConfiguration } from './configuration.ts';
import type { ChangeSet } from './workload.ts';

/** What became of one phase's changes at the receiver. */
export interface ChangeOutcome {
  readonly changes: number;
  readonly appended: number;
  /** Appends tried again after the store did not answer in time. */
  readonly appendRetries: number;
  /** Distinct expected export ids that arrived. */
  readonly received: number;
  /** Neither arrived nor superseded. */
  readonly missing: number;
  /**
   * Not sent because a newer change of the same profile arrived first (the agent supersedes an
   * export still queued behind an older one of its profile): its newer state was delivered instead.
   */
  readonly superseded: number;
  /** The same export id again (at-least-once re-sends). */
  readonly duplicates: number;
  /** Epoch ms: first append issued, last append acknowledged, last change settled at the receiver. */
  readonly firstIssuedAt: number;
  readonly lastAckedAt: number;
  readonly lastReceivedAt: number;
  /**
   * From each append's acknowledgement to the arrival of its export, or, for a superseded
   * change, of the newer export of its profile that carried its state.
   */
  readonly fromAck: LatencySummary;
  /** From the moment each append was issued (includes the store's append latency). */
  readonly fromIssue: LatencySummary;
}

/**
 * The changes of one phase, planned before the clock starts, and what happened to each: when
 * its append was issued and acknowledged, and when its export arrived.
 *
 * Change i is the k-th (k = floor(i / profiles)) of profile i mod profiles: k = 0 qualifies the
 * profile in the mapped audience (a membership export), every later one writes the 3 mapped
 * attributes (an attribute export: the profile is realized). Each change is one ProfileChanged,
 * so its sequence is k and its export id is known in advance, as the decider derives it
 * (deterministicEventId('export', dataflowId, profileId, sequence)): the receiver only needs the
 * X-Export-Id header to say which change arrived.
 */
export class PlannedChanges {
  readonly set: ChangeSet;
  private readonly indexByExportId = new Map<string, number>();
  private readonly issuedAt: Float64Array;
  private readonly ackedAt: Float64Array;
  private readonly receivedAt: Float64Array;
  /** When the receiver first had a state including the change: its own export, or a newer one of its profile. */
  private readonly settledAt: Float64Array;
  private received = 0;
  private superseded = 0;
  private duplicates = 0;
  private appended = 0;
  private retries = 0;
  private onComplete: (() => void) | undefined;

  constructor(set: ChangeSet) {
    this.set = set;
    this.issuedAt = new Float64Array(set.changes);
    this.ackedAt = new Float64Array(set.changes);
    this.receivedAt = new Float64Array(set.changes).fill(Number.NaN);
    this.settledAt = new Float64Array(set.changes).fill(Number.NaN);
    for (let index = 0; index < set.changes; index++) {
      const { profileId, sequence } = this.changeOf(index);
      this.indexByExportId.set(deterministicEventId('export', benchConfiguration.dataflowId, profileId, sequence), index);
    }
  }

  changeOf(index: number): { readonly profileId: string; readonly sequence: number } {
    return { profileId: `${this.set.prefix}${index % this.set.profiles}`, sequence: Math.floor(index / this.set.profiles) };
  }

  /**
   * Appends change `index` to its ingest stream, timing it. As a careful producer would, it
   * retries when the store does not answer in time (a busy machine), with the same event id, so
   * a retry of an append that did land writes nothing twice; the ack time is the last attempt's.
   */
  async append(store: EventStore, index: number): Promise<void> {
    const { profileId, sequence } = this.changeOf(index);
    const event = { ...ingestEventFor(profileId, sequence, new Date()), id: deterministicEventId('bench', this.set.prefix, index) };
    this.issuedAt[index] = epochMs();
    for (let attempt = 1; ; attempt++) {
      try {
        await store.appendUncheckedEvents(ingestStreamName(profileId), [event]);
        break;
      } catch (error) {
        if (!isTransient(error) || attempt >= maxAppendAttempts) throw error;
        this.retries++;
        await sleep(100 * attempt);
      }
    }
    this.ackedAt[index] = epochMs();
    this.appended++;
  }

  /** Records an export's arrival; false when the id is not one of this phase's exports. */
  receipt(exportId: string, receivedAtEpochMs: number): boolean {
    const index = this.indexByExportId.get(exportId);
    if (index === undefined) return false;
    if (!Number.isNaN(this.receivedAt[index]!)) {
      this.duplicates++;
      return true;
    }
    this.receivedAt[index] = receivedAtEpochMs;
    this.received++;
    // Counted as superseded when a newer change of its profile arrived first: now it is received
    // too, but the receiver had its state since then (settled keeps that earlier time).
    if (Number.isNaN(this.settledAt[index]!)) this.settledAt[index] = receivedAtEpochMs;
    else this.superseded--;
    // The earlier changes of this profile that have not arrived never will: the newer state did.
    for (let earlier = index - this.set.profiles; earlier >= 0 && Number.isNaN(this.settledAt[earlier]!); earlier -= this.set.profiles) {
      this.settledAt[earlier] = receivedAtEpochMs;
      this.superseded++;
    }
    if (this.isSettled()) this.onComplete?.();
    return true;
  }

  /** Resolves once every export arrived, or after `timeoutMs` (the outcome then counts what is missing). */
  async allReceived(timeoutMs: number): Promise<void> {
    if (this.isSettled()) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.onComplete = resolve;
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
    this.onComplete = undefined;
  }

  /** Every change settled at the receiver (its export or a newer one arrived). */
  isSettled(): boolean {
    return this.received + this.superseded === this.set.changes;
  }

  /** Adds each settled change's ack -> receipt latency to `recorder` (to pool several plans). */
  recordLatencies(recorder: LatencyRecorder): void {
    for (let index = 0; index < this.set.changes; index++) {
      const settled = this.settledAt[index]!;
      if (!Number.isNaN(settled)) recorder.record(settled - this.ackedAt[index]!);
    }
  }

  outcome(): ChangeOutcome {
    const fromAck = new LatencyRecorder();
    const fromIssue = new LatencyRecorder();
    let firstIssuedAt = Number.POSITIVE_INFINITY;
    let lastAckedAt = 0;
    let lastReceivedAt = 0;
    for (let index = 0; index < this.set.changes; index++) {
      const issued = this.issuedAt[index]!;
      if (issued > 0) firstIssuedAt = Math.min(firstIssuedAt, issued);
      lastAckedAt = Math.max(lastAckedAt, this.ackedAt[index]!);
      const settled = this.settledAt[index]!;
      if (Number.isNaN(settled)) continue;
      lastReceivedAt = Math.max(lastReceivedAt, settled);
      fromAck.record(settled - this.ackedAt[index]!);
      fromIssue.record(settled - issued);
    }
    return {
      changes: this.set.changes,
      appended: this.appended,
      appendRetries: this.retries,
      received: this.received,
      missing: this.set.changes - this.received - this.superseded,
      superseded: this.superseded,
      duplicates: this.duplicates,
      firstIssuedAt: Number.isFinite(firstIssuedAt) ? firstIssuedAt : 0,
      lastAckedAt,
      lastReceivedAt,
      fromAck: fromAck.summary(),
      fromIssue: fromIssue.summary(),
    };
  }
}

const maxAppendAttempts = 5;

/** The k-th change of a bench profile: qualification first, then writes of the 3 mapped attributes. */
export function ingestEventFor(profileId: string, sequence: number, now: Date): IngestEvent {
  const at = now.toISOString();
  if (sequence === 0) return ingestEvents.membershipChanged(profileId, benchConfiguration.audienceId, 'realized', at);
  return ingestEvents.attributesWritten(
    profileId,
    {
      person: { name: { firstName: `First-${profileId}`, lastName: `Last-${sequence}` } },
      personalEmail: { address: `${profileId}.${sequence}@bench.example` },
    },
    at,
  );
}
