import {
  comparePositions,
  createStreamCheckpointStore,
  formatPosition,
  isInPartition,
  retryWhileUnavailable,
  runConsumer,
  type AllFilter,
  type CheckpointStore,
  type Consumer,
  type EventStore,
  type OutageReporter,
  type Partition,
  type Position,
} from '@spillway/event-streams';
import { deadlettersStreamName, deliveriesStreamName, exportsStreamName } from '@spillway/pipeline-events';
import type { Logger } from '@spillway/runtime';
import type { DestinationRegistry } from '../destinations/destination-registry.ts';
import { agentInputEvents, classifyInput, inputKey, type AgentInputMessage } from './agent-input-events.ts';
import { createHeldExports, type HeldExports } from './held-exports.ts';
import type { RecordedOutcomesByDataflow } from './recorded-outcomes-by-dataflow.ts';
import { loadRecordedOutcomes } from './recorded-outcomes.ts';
import { isAbort } from './is-abort.ts';
import type { ExportRun } from './retry-events.ts';

/** `<agent consumer>-dataflow-<dataflowId>`: names the dataflow consumer's checkpoint stream. */
export const dataflowConsumerName = (agentConsumer: string, dataflowId: string): string => `${agentConsumer}-dataflow-${dataflowId}`;

/**
 * The destination streams (their configuration comes before the exports using it, in the log)
 * and exactly this dataflow's export stream.
 */
export function dataflowInputFilter(destinationStreamPrefix: string, dataflowId: string): AllFilter {
  return { streamNameRegex: `^(?:${escapeRegex(destinationStreamPrefix)}|${escapeRegex(exportsStreamName(dataflowId))}$)` };
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What every dataflow consumer shares with the agent (one registry, one export handler, one stop). */
export interface DataflowConsumerContext {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly outage: OutageReporter;
  readonly partition: Partition;
  readonly maxInFlight: number;
  readonly maxQueuedPerDestination: number;
  /** The agent's consumer name: `delivery-agent-<k>-of-<n>`, the single consumer's before there was one per dataflow. */
  readonly agentConsumer: string;
  readonly destinationStreamPrefix: string;
  readonly destinations: DestinationRegistry;
  /** Applies the destination events up to a consumer's checkpoint before it starts. */
  readonly loadDestinationsUpTo: (position: Position) => Promise<void>;
  readonly recorded: RecordedOutcomesByDataflow;
  /** Delivers an export and records its outcome; rejects if it could not (the agent then fails). */
  readonly deliver: (run: ExportRun, message: AgentInputMessage, consumer: string) => Promise<void>;
  /** Stops the agent: every dataflow consumer, deliveries abandoned at once. */
  readonly fail: (error: unknown) => void;
  /** Whether the agent failed: then the final checkpoint is left to the consumer's own. */
  readonly failed: () => boolean;
  readonly stopping: AbortSignal;
  readonly abandoning: AbortSignal;
  readonly checkpointEvery?: { readonly events?: number; readonly ms?: number } | undefined;
}

export interface DataflowConsumerStats {
  readonly handled: number;
  readonly rejected: number;
  /** Events in the window plus exports held by their destinations' queues. */
  readonly inFlight: number;
  readonly held: number;
  readonly position: Position | undefined;
}

export interface DataflowConsumer {
  readonly dataflowId: string;
  readonly consumerName: string;
  /** Resolves once everything in the store at its start was handled, and the exports taken in hand finished. */
  readonly caughtUp: Promise<void>;
  /** Resolves once stopped; rejects if it failed. */
  readonly done: Promise<void>;
  stats(): DataflowConsumerStats;
  /** Stops reading and waits for the exports taken in hand (the agent abandons them after its grace). */
  stop(): Promise<void>;
}

/**
 * One dataflow's exports: its own consumer of $all (destinations and `exports-<dataflowId>`),
 * checkpoint, reading window and held exports, so that a dead destination fills only the window
 * of the dataflows that send to it.
 */
export function runDataflowConsumer(context: DataflowConsumerContext, dataflowId: string, configuredAt: Position | undefined): DataflowConsumer {
  const { store, logger, stopping } = context;
  const consumerName = dataflowConsumerName(context.agentConsumer, dataflowId);
  const logFields = { consumer: consumerName, dataflowId };
  const checkpointStore = createStreamCheckpointStore(store);
  let consumer: Consumer | undefined;
  // Replaced at start, once the checkpoint is loaded.
  let held: HeldExports = createHeldExports({ maxPerDestination: context.maxQueuedPerDestination, from: undefined });
  let startFrom: Position | undefined;
  let checkpointSaved: Position | undefined;
  let saving: Promise<void> = Promise.resolve();
  /** The consumer's checkpoint, kept before the oldest export not finished (held exports are done for the consumer, not for us). */
  const checkpoints: CheckpointStore = {
    // Loaded at start, with the fallback to the single consumer's.
    load: async () => startFrom,
    save(name, target) {
      // One at a time, so a lower position is never stored after a higher one.
      const next = saving.then(async () => {
        const at = held.clamp(target);
        if (at === undefined || (checkpointSaved !== undefined && comparePositions(at, checkpointSaved) <= 0)) return;
        await checkpointStore.save(name, at);
        checkpointSaved = at;
      });
      saving = next.catch(() => {});
      return next;
    },
  };
  // The consumer stores its checkpoint when it reads on; once it is idle, held exports that
  // finish must still move the checkpoint past them.
  const catchUpCheckpoint = setInterval(() => {
    const position = consumer?.stats().position;
    if (position !== undefined) void checkpoints.save(consumerName, position).catch(() => {});
  }, context.checkpointEvery?.ms ?? 1_000);
  catchUpCheckpoint.unref();
  let resolveCaughtUp: () => void = () => {};
  const caughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));

  const handle = (message: AgentInputMessage): Promise<void> | void => {
    const input = classifyInput(message);
    if (input.kind !== 'export' || !isInPartition(input.run.request.profileId, context.partition)) held.note(message.position);
    switch (input.kind) {
      case 'destination':
        return context.destinations.apply(input.message);
      case 'export': {
        const { request } = input.run;
        if (!isInPartition(request.profileId, context.partition)) return;
        const key = { position: message.position, destinationId: request.destinationId, key: `${request.dataflowId}/${request.profileId}` };
        return held.take(key, () => context.deliver(input.run, message, consumerName), stopping);
      }
      case 'misplaced':
        logger.warn('event skipped', { stream: message.streamId, eventId: message.eventId, eventType: message.event.type, reason: input.reason });
        return;
      default:
        return assertNever(input);
    }
  };

  /**
   * Its own checkpoint. A dataflow consumer that has none yet starts at the dataflow's first
   * configuration event (the decider writes no export of a dataflow before it is configured), so
   * a dataflow created on a long log does not read it from the start; or at the single consumer's
   * checkpoint of an agent from before there was one consumer per dataflow, when that is later
   * (it had finished every export before it).
   */
  async function loadStart(): Promise<Position | undefined> {
    const own = await checkpointStore.load(consumerName);
    if (own !== undefined) return own;
    const single = await checkpointStore.load(context.agentConsumer);
    if (single !== undefined && (configuredAt === undefined || comparePositions(single, configuredAt) > 0)) {
      logger.info("starting from the single consumer's checkpoint", { ...logFields, from: context.agentConsumer });
      return single;
    }
    if (configuredAt !== undefined) logger.info("starting at the dataflow's first configuration", { ...logFields, position: formatPosition(configuredAt) });
    return configuredAt;
  }

  async function start(): Promise<void> {
    const from = await retryWhileUnavailable('starting', loadStart, { outage: context.outage, signal: stopping });
    held = createHeldExports({ maxPerDestination: context.maxQueuedPerDestination, from });
    startFrom = from;
    checkpointSaved = from;
    if (from !== undefined) await context.loadDestinationsUpTo(from);
    const recorded = await loadRecordedOutcomes(store, {
      after: from,
      dataflowId,
      streamPrefix: deliveriesStreamName(dataflowId),
      deadLetterStreamPrefix: deadlettersStreamName(dataflowId),
      partition: context.partition,
      logFields,
    });
    context.recorded.set(dataflowId, recorded);
    if (recorded.size() > 0) logger.info('outcomes recorded after the checkpoint will not be sent again', { ...logFields, exports: recorded.size() });
    if (stopping.aborted) return;
    const running = runConsumer({
      store,
      logger,
      outage: context.outage,
      consumer: consumerName,
      catalog: agentInputEvents,
      filter: dataflowInputFilter(context.destinationStreamPrefix, dataflowId),
      concurrency: { key: inputKey, maxInFlight: context.maxInFlight },
      checkpoints,
      handle,
      ...(context.checkpointEvery ? { checkpointEvery: context.checkpointEvery } : {}),
    });
    consumer = running;
    running.caughtUp.then(
      async () => {
        // Everything recorded before this start has come by again: what is left will not.
        context.recorded.drop(dataflowId);
        // The exports handed over are finished, not only taken in hand.
        await held.settled();
        resolveCaughtUp();
      },
      () => {},
    );
    try {
      await running.done.catch((error: unknown) => {
        // Deliveries abandoned on stop end their handlers with an abort: the consumer reports that
        // as a failure, but it kept the checkpoint before them, which is what a stop should do.
        if (context.abandoning.aborted && isAbort(error)) return;
        throw error;
      });
    } catch (error) {
      context.fail(error);
      await held.settled();
      throw error;
    }
    await held.settled();
    if (!context.failed()) await storeFinalCheckpoint(running);
  }

  /** The consumer stored its last checkpoint before the held exports ended: move it past those that finished since. */
  async function storeFinalCheckpoint(running: Consumer): Promise<void> {
    const position = running.stats().position;
    if (position === undefined) return;
    await checkpoints.save(consumerName, position).catch((error: unknown) => logger.warn('could not store the final checkpoint', { ...logFields, error }));
  }

  const done = start().finally(() => {
    clearInterval(catchUpCheckpoint);
    context.recorded.drop(dataflowId);
  });
  done.catch(() => {});

  return {
    dataflowId,
    consumerName,
    caughtUp,
    done,
    stats() {
      const consumerStats = consumer?.stats();
      const heldCount = held.stats().held;
      return {
        handled: consumerStats?.handled ?? 0,
        rejected: consumerStats?.rejected ?? 0,
        inFlight: (consumerStats?.inFlight ?? 0) + heldCount,
        held: heldCount,
        position: consumerStats?.position,
      };
    },
    async stop() {
      await consumer?.stop();
      await held.settled();
    },
  };
}


function assertNever(value: never): never {
  throw new Error(`unexpected input ${JSON.stringify(value)}`);
}
