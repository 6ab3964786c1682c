import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore } from '@spillway/event-streams';
import type { PlannedChanges } from './changes.ts';

/**
 * Appends every planned change as fast as `writers` awaited single-event appends go. Writer w
 * owns the profiles p with p mod writers = w and writes them round by round, so a profile's
 * changes are appended one after the other, in order (its sequences are then as planned).
 */
export async function writeAsFastAsPossible(store: EventStore, plan: PlannedChanges, writers: number): Promise<void> {
  const { profiles, changes } = plan.set;
  const rounds = Math.ceil(changes / profiles);
  let failed = false;
  const writer = async (first: number) => {
    for (let round = 0; round < rounds; round++) {
      for (let profile = first; profile < profiles && !failed; profile += writers) {
        const index = round * profiles + profile;
        if (index < changes) await plan.append(store, index).catch((error: unknown) => ((failed = true), Promise.reject(error)));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(writers, profiles) }, (_, first) => writer(first)));
}

export interface PacedWrite {
  /** Appends acknowledged per second over the time it took to issue them all. */
  readonly achievedRatePerSecond: number;
  /** How far behind its schedule the last tick ran (timer lateness, a busy bench). */
  readonly maxTickLagMs: number;
}

/**
 * Offers the changes at a fixed rate: every `tickMs`, `perTick` appends to different ingest
 * streams, started together and not awaited by the pacing (a slow append does not slow the
 * offered rate). A late timer issues every tick that is due at once. A profile's next change
 * waits for its previous append, so per-profile order holds even if the store falls behind.
 */
export async function writeAtFixedRate(store: EventStore, plan: PlannedChanges, tickMs: number, perTick: number): Promise<PacedWrite> {
  const total = plan.set.changes;
  const previous = new Map<number, Promise<void>>();
  const appends: Promise<void>[] = [];
  let failure: { readonly error: unknown } | undefined;
  const issue = (index: number) => {
    const profile = index % plan.set.profiles;
    // Settled either way, so a failure is reported once, at the end, and never left unhandled.
    const append = (previous.get(profile) ?? Promise.resolve()).then(() => plan.append(store, index)).catch((error: unknown) => void (failure ??= { error }));
    previous.set(profile, append);
    appends.push(append);
  };
  const startedAt = performance.now();
  let issued = 0;
  let maxTickLagMs = 0;
  while (issued < total && failure === undefined) {
    const elapsed = performance.now() - startedAt;
    const dueTicks = Math.floor(elapsed / tickMs) + 1;
    const due = Math.min(total, dueTicks * perTick);
    maxTickLagMs = Math.max(maxTickLagMs, elapsed - (Math.ceil(issued / perTick) * tickMs));
    while (issued < due) issue(issued++);
    const nextTickAt = startedAt + Math.ceil(issued / perTick) * tickMs;
    await sleep(Math.max(0, nextTickAt - performance.now()));
  }
  await Promise.all(appends);
  if (failure) throw failure.error;
  const elapsedMs = performance.now() - startedAt;
  return { achievedRatePerSecond: elapsedMs > 0 ? total / (elapsedMs / 1000) : 0, maxTickLagMs };
}
