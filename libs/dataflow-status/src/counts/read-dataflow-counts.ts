import type { EventStore } from '@spillway/event-streams';
import { countedEvents } from './counted-events.ts';
import { loadCountsSnapshot, saveCountsSnapshot } from './counts-snapshots.ts';
import { createCountsTally, type CountsScan, type CountsTally, type DataflowCounts } from './counts-tally.ts';

export type DataflowCountsReader = (store: EventStore, dataflowId: string) => Promise<DataflowCounts | undefined>;

export interface ReadCountsOptions {
  /** Store a snapshot when the reading handed over at least this many events. @defaultValue 1000 */
  readonly snapshotAfter?: number;
  /**
   * Or when the scan passed at least this many checkpoints: a log that grows with events the filter
   * leaves out (ingest, other dataflows' outcomes) is scanned by the store all the same.
   * @defaultValue 3 (3,072 scanned events: the store sends a checkpoint every 1,024, event-streams' subscriptions.ts)
   */
  readonly snapshotAfterCheckpoints?: number;
  /** Start from the latest snapshot and store new ones; false scans the whole log and stores nothing. @defaultValue true */
  readonly snapshots?: boolean;
}

export interface CountsReading {
  readonly counts: DataflowCounts;
  /** The events the reading went through: only those after the snapshot it started from. */
  readonly scanned: CountsScan;
  /** The `$all` position of the snapshot it started from, or 'start'. */
  readonly from: string;
  readonly snapshotStored: boolean;
}

/**
 * The counts as of the head of the log: the latest snapshot (`spillway-counts-<id>`), then one
 * filtered pass over `$all` after its position (profile changes, the dataflow's configuration,
 * export requests, outcomes and dead letters). Time grows with what happened since the last
 * snapshot, not with the log; memory is bounded either way.
 */
export async function scanDataflowCounts(store: EventStore, dataflowId: string, options: ReadCountsOptions = {}): Promise<CountsReading> {
  const useSnapshots = options.snapshots ?? true;
  const restored = useSnapshots ? await loadCountsSnapshot(store, dataflowId) : undefined;
  const tally = createCountsTally(dataflowId, restored);
  await scanToHead(store, tally);
  const scanned = tally.scanned();
  const snapshot = tally.snapshot();
  const due = useSnapshots && snapshot !== undefined && snapshotDue(scanned, options);
  const snapshotStored = due && (await saveCountsSnapshot(store, snapshot, { limitStream: restored === undefined }));
  const from = restored?.position ?? 'start';
  store.logger.debug('dataflow counts read', { dataflowId, from, scanned, snapshotStored });
  return { counts: tally.counts(), scanned, from, snapshotStored };
}

export function snapshotDue(scanned: CountsScan, options: ReadCountsOptions = {}): boolean {
  return scanned.events >= (options.snapshotAfter ?? 1000) || scanned.checkpoints >= (options.snapshotAfterCheckpoints ?? 3);
}

const readingsInFlight = new WeakMap<EventStore, Map<string, Promise<CountsReading>>>();

/**
 * Readings of one dataflow that overlap share one scan: the first on a long log (before any
 * snapshot) is a full scan, and a status page or several CLI users asking at once would each run
 * one and each store a snapshot. A reading that joins gets counts as of the shared scan's catch-up,
 * which comes after it joined.
 */
export function sharedCountsReading(store: EventStore, dataflowId: string): Promise<CountsReading> {
  let byDataflow = readingsInFlight.get(store);
  if (!byDataflow) readingsInFlight.set(store, (byDataflow = new Map()));
  const running = byDataflow.get(dataflowId);
  if (running) return running;
  const reading = scanDataflowCounts(store, dataflowId).finally(() => byDataflow.delete(dataflowId));
  byDataflow.set(dataflowId, reading);
  return reading;
}

export const readDataflowCounts: DataflowCountsReader = async (store, dataflowId) => (await sharedCountsReading(store, dataflowId)).counts;

async function scanToHead(store: EventStore, tally: CountsTally): Promise<void> {
  const subscription = store.openAllSubscription({ catalog: countedEvents, from: tally.from, filter: { streamNamePrefixes: tally.prefixes } });
  try {
    for await (const message of subscription.messages) {
      if (message.kind === 'caught-up') break;
      if (message.kind === 'event') tally.see(message.streamId, message.event, message.position);
      else if (message.kind === 'checkpoint') tally.checkpoint(message.position);
      else tally.passed(message.position);
    }
  } finally {
    await subscription.close();
  }
}
