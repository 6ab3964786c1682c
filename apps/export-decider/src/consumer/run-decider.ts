import {
  comparePositions,
  createStreamCheckpointStore,
  isInPartition,
  createOutageReporter,
  retryWhileUnavailable,
  partitionConsumerName,
  runConsumer,
  wholePartition,
  type CatalogEvent,
  type CheckpointStore,
  type Consumer,
  type ConsumerStats,
  type EventMessage,
  type EventStore,
  type Partition,
  type Position,
} from '@spillway/event-streams';
import type { ExportRequested } from '@spillway/pipeline-events';
import type { Logger } from '@spillway/runtime';
import { logBackfillRequested, type BackfillHook } from '../backfill/backfill-hook.ts';
import { createBackfillRunner, type BackfillRunner, type BackfillRunnerOptions } from '../backfill/backfill-runner.ts';
import { createProfileGate } from '../backfill/profile-gate.ts';
import { followConfiguration, type ConfigMessage } from '../configuration/configuration-follower.ts';
import { loadConfigurationUpTo, type ConfigurationLoad } from '../configuration/load-configuration.ts';
import { createProfileChangeDecider, type DecisionCounts, type ProfileChangedMessage } from '../decision/decide-profile-change.ts';
import { createConfigSequencer } from './config-sequencer.ts';
import { deciderInputEvents, deciderInputFilter } from './decider-input-events.ts';

export const deciderService = 'export-decider';

export interface DeciderOptions {
  readonly store: EventStore;
  readonly logger: Logger;
  /** This instance's share of the profiles (SPILLWAY_PARTITION). @defaultValue 0/1, every profile */
  readonly partition?: Partition;
  /** The clock for `decidedAt`. @defaultValue () => new Date() */
  readonly now?: () => Date;
  /** Profile changes in hand at once (one per profile at a time). @defaultValue 256 */
  readonly maxInFlight?: number;
  /**
   * The historical backfill lane (section 8): on, when given, at this many profiles per second.
   * @defaultValue off: `onBackfillRequested` is called instead
   */
  readonly backfill?: Pick<BackfillRunnerOptions, 'ratePerSecond' | 'liveLagTargetMs' | 'progressEvery' | 'dataflows'> & {
    /** The lane's own connection, for its scans to read ahead in bulk. @defaultValue `store` */
    readonly store?: EventStore;
  };
  /** Without `backfill`. @defaultValue logs `backfill requested` */
  readonly onBackfillRequested?: BackfillHook;
  /** @defaultValue `export-decider-<k>-of-<n>` */
  readonly consumer?: string;
  /** For tests: where checkpoints go, and how often. */
  readonly checkpoints?: CheckpointStore;
  readonly checkpointEvery?: { readonly events?: number; readonly ms?: number };
  /** Told of each export (live and backfill) once it is appended (metrics). */
  readonly onExportRequested?: (request: ExportRequested) => void;
}

export interface DeciderCounts extends DecisionCounts {
  readonly configurationApplied: number;
  readonly configurationRefused: number;
}

export interface Decider extends Consumer {
  counts(): DeciderCounts;
  /** The backfill lane, when on. */
  readonly backfill: BackfillRunner | undefined;
}

type DeciderMessage = EventMessage<CatalogEvent<typeof deciderInputEvents>>;

const isProfileChanged = (message: DeciderMessage): message is DeciderMessage & ProfileChangedMessage => message.event.type === 'ProfileChanged';

/**
 * The export decider: one checkpointed $all consumer of profile changes and configuration, in
 * log order, so a change is decided against the configuration as of its place in the log (and a
 * replay decides the same). Every instance folds all the configuration; it decides only the
 * profiles of its partition. At start the configuration up to the checkpoint is loaded first.
 */
export function runDecider(options: DeciderOptions): Decider {
  const { store } = options;
  const partition = options.partition ?? wholePartition;
  const consumerName = options.consumer ?? partitionConsumerName(deciderService, partition);
  const logger = options.logger.child({ consumer: consumerName });
  const checkpoints = options.checkpoints ?? createStreamCheckpointStore(store);
  const now = options.now ?? (() => new Date());
  const stopping = new AbortController();
  // One outage, told once: the consumer and the reads at start share it.
  const outage = createOutageReporter(logger);
  let load: ConfigurationLoad | undefined;
  let consumer: Consumer | undefined;
  // The end of the log when this instance started: only changes after it can be new to every decider.
  let startHead: { readonly position: Position | undefined } | undefined;
  // Live decisions and backfill exports of one profile never interleave (see backfill/profile-gate.ts).
  const gate = createProfileGate();
  const backfill = options.backfill
    ? createBackfillRunner({
        store,
        logger,
        partition,
        now,
        config: () => follower.current(),
        gate,
        livePosition: () => consumer?.stats().position,
        ...options.backfill,
        ...(options.onExportRequested ? { onExportRequested: options.onExportRequested } : {}),
      })
    : undefined;
  const follower = followConfiguration(logger, backfill ? (request) => backfill.request(request) : (options.onBackfillRequested ?? logBackfillRequested(logger)));
  const sequencer = createConfigSequencer(follower);
  const decisions = createProfileChangeDecider({
    store,
    logger,
    now,
    ownsProfile: (profileId) => isInPartition(profileId, partition),
    batchable: (message) => startHead !== undefined && message.position !== undefined && (startHead.position === undefined || comparePositions(message.position, startHead.position) > 0),
    ...(options.onExportRequested ? { onExportRequested: options.onExportRequested } : {}),
  });

  const handle = async (message: DeciderMessage): Promise<void> => {
    if (!isProfileChanged(message)) return sequencer.applyConfig(message as ConfigMessage);
    if (!decisions.owns(message)) return;
    backfill?.observeLiveChange(message.event.data.ingestedAt);
    const config = await sequencer.configAt(message);
    if (config) await gate.run(message.streamId, () => decisions.decide(message, config));
  };

  const start = async (): Promise<Consumer | undefined> => {
    const checkpoint = await retryWhileUnavailable('loading the checkpoint', () => checkpoints.load(consumerName), { outage, signal: stopping.signal });
    startHead = { position: await retryWhileUnavailable('reading the head of the log', () => store.readHeadPosition(), { outage, signal: stopping.signal }) };
    if (checkpoint && !stopping.signal.aborted) {
      load = loadConfigurationUpTo(store, follower, checkpoint, { consumer: consumerName });
      const events = await load.done;
      logger.info('configuration loaded up to the checkpoint', { events, configVersion: follower.current().version });
    }
    if (stopping.signal.aborted) return undefined;
    logger.info('deciding', { partition: `${partition.index}/${partition.count}` });
    return (consumer = runConsumer({
      store,
      logger,
      outage,
      consumer: consumerName,
      catalog: deciderInputEvents,
      filter: deciderInputFilter,
      checkpoints,
      handle,
      concurrency: { key: (message) => sequencer.keyAtDispatch(message), maxInFlight: options.maxInFlight ?? 256 },
      ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
    }));
  };
  const started = start();
  const done = started.then((running) => running?.done);
  done.catch(() => {});
  const caughtUp = started.then((running) => {
    if (!running) throw new Error(`${consumerName} stopped before catching up`);
    return running.caughtUp;
  });
  caughtUp.catch(() => {});

  return {
    caughtUp,
    done,
    stats: (): ConsumerStats => consumer?.stats() ?? { handled: 0, rejected: 0, position: undefined, inFlight: 0, checkpoint: undefined },
    counts: () => ({ ...decisions.counts(), configurationApplied: follower.counts().applied, configurationRefused: follower.counts().refused }),
    backfill,
    async stop() {
      stopping.abort();
      await backfill?.stop();
      await load?.close();
      const running = await started.catch(() => undefined);
      if (!running) return;
      const stopped = running.stop(); // aborts at once; changes still waiting for a configuration event are then left undecided
      sequencer.release();
      await stopped;
    },
  };
}

