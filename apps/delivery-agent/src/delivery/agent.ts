import type { RetryPolicy, SecretSources } from '@spillway/delivery';
import {
  comparePositions,
  createOutageReporter,
  createStreamCheckpointStore,
  HandlerFailedError,
  isInPartition,
  partitionConsumerName,
  retryWhileUnavailable,
  runConsumer,
  type CheckpointStore,
  type Consumer,
  type EventStore,
  type Partition,
  type Position,
} from '@spillway/event-streams';
import type { AgentMetrics } from '@spillway/metrics';
import type { Logger } from '@spillway/runtime';
import { destinationClients, plainConnections, type AgentConnections } from '../connections/agent-connections.ts';
import { createDestinationRegistry, type DestinationRegistry } from '../destinations/destination-registry.ts';
import { loadDestinationsUpTo } from '../destinations/load-destinations.ts';
import { createCircuitJournal, loadCircuits } from '../flow-control/circuit-journal.ts';
import { createFlowControl } from '../flow-control/flow-control.ts';
import { agentInputEvents, agentStreamPrefixes, classifyInput, inputKey, type AgentInputMessage } from './agent-input-events.ts';
import { createDestinationLanes } from './destination-lanes.ts';
import { createExportHandler, type ExportCounts } from './export-handler.ts';
import { createHeldExports, type HeldExports } from './held-exports.ts';
import type { ExportRun } from './retry-events.ts';
import { withOutcomeMetrics } from './outcome-metrics.ts';
import { createOutcomeRecorder } from './outcome-recorder.ts';
import { loadRecordedOutcomes, noRecordedOutcomes, type RecordedOutcomes } from './recorded-outcomes.ts';
import { newestDeliveredIn } from './newest-delivered.ts';

export const agentServiceName = 'delivery-agent';

export interface AgentSettings {
  readonly partition: Partition;
  /** Events the consumer reads ahead of the oldest one not yet taken in hand (an export waiting for room in its destination's queue). */
  readonly maxInFlight: number;
  /** Exports one destination holds at once (sending, or waiting for a request slot, the rate limit, a retry or its circuit), out of the consumer's window. */
  readonly maxQueuedPerDestination: number;
  /** Requests running at once per destination (and its connection pool size); a destination's `maxInFlight` can lower it. */
  readonly maxInFlightPerDestination: number;
  /** On stop, how long deliveries in flight may take to finish before they are abandoned (and sent again after a restart). */
  readonly stopGraceMs: number;
}

export const defaultAgentSettings: AgentSettings = {
  partition: { index: 0, count: 1 },
  maxInFlight: 1024,
  maxQueuedPerDestination: 10_000,
  maxInFlightPerDestination: 64,
  stopGraceMs: 1_000,
};

export interface AgentOptions extends Partial<AgentSettings> {
  readonly store: EventStore;
  readonly logger: Logger;
  /** Where `env:` and `file:` secret references are read (process.env and the file system in main). */
  readonly secrets: SecretSources;
  /** Client certificate, extra CA and egress addresses of export connections. @defaultValue none of them */
  readonly connections?: AgentConnections;
  /** The agent's retry defaults (attempts 3, backoff with jitter); a destination's own `retry` settings take precedence. */
  readonly retry?: Partial<RetryPolicy>;
  readonly checkpointEvery?: { readonly events?: number; readonly ms?: number };
  readonly now?: () => Date;
  /** Follow only the destinations and dataflows whose id starts with this (a dedicated agent; tests sharing a store). @defaultValue all */
  readonly idPrefix?: string;
  /** @defaultValue `delivery-agent-<k>-of-<n>` */
  readonly consumerName?: string;
  /** Counts each outcome once it is recorded. @defaultValue none */
  readonly metrics?: AgentMetrics;
}

export interface AgentStats {
  /** Events handled by the consumer (destinations, and exports of every partition). */
  readonly handled: number;
  /** This instance's exports. */
  readonly exports: ExportCounts;
  /** Events in the consumer's window plus exports held by their destinations' queues. */
  readonly inFlight: number;
  /** Exports held by their destinations' queues (out of the consumer's window). */
  readonly queued: number;
  readonly delivering: number;
  readonly queuedForDestination: number;
  /** Destinations whose circuit is open: their exports wait. */
  readonly openCircuits: readonly string[];
  readonly destinations: { readonly usable: number; readonly unusable: number; readonly deleted: number };
  /** OAuth token requests sent. */
  readonly tokenRequests: number;
  /** Events the consumer skipped as not parsing. */
  readonly rejected: number;
  /** The consumer's low watermark. */
  readonly position: Position | undefined;
}

export interface Agent {
  readonly consumerName: string;
  /** Resolves once the consumer has handled everything that was in the store when it started. */
  readonly caughtUp: Promise<void>;
  /** Resolves once stopped; rejects if the agent failed. */
  readonly done: Promise<void>;
  stats(): AgentStats;
  /** Stops reading, gives deliveries in flight `stopGraceMs` to finish, abandons the rest (they are sent again after a restart). */
  stop(): Promise<void>;
}

/** Follows destinations and export requests of its partition, delivers each export and records the outcome. */
export function runAgent(options: AgentOptions): Agent {
  const settings: AgentSettings = {
    partition: options.partition ?? defaultAgentSettings.partition,
    maxInFlight: options.maxInFlight ?? defaultAgentSettings.maxInFlight,
    maxQueuedPerDestination: options.maxQueuedPerDestination ?? defaultAgentSettings.maxQueuedPerDestination,
    maxInFlightPerDestination: options.maxInFlightPerDestination ?? defaultAgentSettings.maxInFlightPerDestination,
    stopGraceMs: options.stopGraceMs ?? defaultAgentSettings.stopGraceMs,
  };
  const { store, logger } = options;
  const consumerName = options.consumerName ?? partitionConsumerName(agentServiceName, settings.partition);
  const streams = agentStreamPrefixes(options.idPrefix ?? '');
  const logFields = { consumer: consumerName };
  // One outage, told once: the consumer, the exports out of its window and the start share it.
  const outage = createOutageReporter(logger.child(logFields));
  const stopping = new AbortController();
  const abandoning = new AbortController();
  const registry = createDestinationRegistry({
    secrets: options.secrets,
    ...destinationClients(options.connections ?? plainConnections, settings.maxInFlightPerDestination),
    maxInFlightPerDestination: settings.maxInFlightPerDestination,
    logger,
  });
  const destinations: DestinationRegistry = {
    ...registry,
    // Every configured destination has its circuit gauge, 0 until it opens.
    apply(message) {
      registry.apply(message);
      options.metrics?.circuitChanged(message.event.data.destinationId, flow.isOpen(message.event.data.destinationId));
    },
  };
  const lanes = createDestinationLanes(settings.maxInFlightPerDestination);
  const now = options.now ?? (() => new Date());
  const circuitJournal = createCircuitJournal({ store, logger, signal: stopping.signal, outage });
  const flow = createFlowControl({
    settingsOf: (destinationId) => registry.flowSettings(destinationId),
    now,
    onTransition(destinationId, event) {
      const open = event.type === 'CircuitOpened';
      if (open) logger.warn('circuit opened: exports to the destination wait, a probe goes now and then', { ...logFields, ...event.data });
      else logger.info('circuit closed: exports to the destination resume', { ...logFields, ...event.data });
      options.metrics?.circuitChanged(destinationId, open);
      circuitJournal.write(destinationId, event);
    },
  });
  let recorded: RecordedOutcomes = noRecordedOutcomes;
  let consumer: Consumer | undefined;
  // Replaced at start, once the checkpoint is loaded.
  let held: HeldExports = createHeldExports({ maxPerDestination: settings.maxQueuedPerDestination, from: undefined });
  let failure: HandlerFailedError | undefined;
  const checkpointStore = createStreamCheckpointStore(store);
  let checkpointSaved: Position | undefined;
  let saving: Promise<void> = Promise.resolve();
  /** The consumer's checkpoint, kept before the oldest export not finished (held exports are done for the consumer, not for us). */
  const checkpoints: CheckpointStore = {
    load: (name) => checkpointStore.load(name),
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
  }, options.checkpointEvery?.ms ?? 1_000);
  catchUpCheckpoint.unref();
  let resolveCaughtUp: () => void = () => {};
  const caughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));

  const outcomes = createOutcomeRecorder({ store, logger, signal: abandoning.signal, outage });
  const exportHandler = createExportHandler({
    outcomes: options.metrics ? withOutcomeMetrics(outcomes, options.metrics) : outcomes,
    destinations: registry,
    lanes,
    flow,
    // Filled in at start, before the consumer hands over the first export.
    recorded: {
      consume: (runKey) => recorded.consume(runKey),
      takeAttempts: (runKey) => recorded.takeAttempts(runKey),
      takeDeadLetter: (runKey) => recorded.takeDeadLetter(runKey),
      size: () => recorded.size(),
      clear: () => recorded.clear(),
    },
    loadDelivered: (dataflowId, profileId) => newestDeliveredIn(store, dataflowId, profileId),
    retry: options.retry ?? {},
    signal: abandoning.signal,
    logger,
    now,
  });

  /** Delivers an export out of the consumer's window: a store outage is retried here, as the consumer would. */
  async function deliver(run: ExportRun, message: AgentInputMessage): Promise<void> {
    try {
      await retryWhileUnavailable(`handling ${message.eventId}`, () => exportHandler.handle(run), { outage, signal: stopping.signal });
    } catch (error) {
      if (stopping.signal.aborted || isAbort(error)) throw error;
      // As the consumer does for a handler error: stop, the checkpoint staying before this export.
      failure ??= new HandlerFailedError(consumerName, message, error);
      logger.error('consumer failed', { ...logFields, error: failure });
      stopping.abort();
      void consumer?.stop();
      throw error;
    }
  }

  const handle = (message: AgentInputMessage): Promise<void> | void => {
    const input = classifyInput(message);
    if (input.kind !== 'export' || !isInPartition(input.run.request.profileId, settings.partition)) held.note(message.position);
    switch (input.kind) {
      case 'destination':
        return destinations.apply(input.message);
      case 'export': {
        const { request } = input.run;
        if (!isInPartition(request.profileId, settings.partition)) return;
        const key = { position: message.position, destinationId: request.destinationId, key: `${request.dataflowId}/${request.profileId}` };
        return held.take(key, () => deliver(input.run, message), stopping.signal);
      }
      case 'misplaced':
        logger.warn('event skipped', { stream: message.streamId, eventId: message.eventId, eventType: message.event.type, reason: input.reason });
        return;
      default:
        return assertNever(input);
    }
  };

  /** Circuits open before the restart stay open: their exports keep waiting for a probe to be answered. */
  async function restoreCircuits(): Promise<void> {
    const circuits = await retryWhileUnavailable('starting', () => loadCircuits(store, options.idPrefix ?? ''), { outage, signal: stopping.signal });
    for (const { destinationId, event } of circuits) {
      if (event.type !== 'CircuitOpened') continue;
      flow.restore(destinationId, event);
      options.metrics?.circuitChanged(destinationId, true);
      logger.warn('circuit open since before the start: exports to the destination wait for a probe', { ...logFields, ...event.data });
    }
  }

  async function start(): Promise<void> {
    const from = await retryWhileUnavailable('starting', () => checkpointStore.load(consumerName), { outage, signal: stopping.signal });
    held = createHeldExports({ maxPerDestination: settings.maxQueuedPerDestination, from });
    checkpointSaved = from;
    if (from !== undefined) {
      const applied = await loadDestinationsUpTo(store, destinations, { upTo: from, streamPrefix: streams.destinations, logFields });
      logger.info('destinations loaded up to the checkpoint', { ...logFields, applied, ...registry.counts() });
    }
    recorded = await loadRecordedOutcomes(store, {
      after: from,
      streamPrefix: streams.deliveries,
      deadLetterStreamPrefix: streams.deadletters,
      partition: settings.partition,
      logFields,
    });
    if (recorded.size() > 0) logger.info('outcomes recorded after the checkpoint will not be sent again', { ...logFields, exports: recorded.size() });
    await restoreCircuits();
    if (stopping.signal.aborted) return;
    const running = runConsumer({
      store,
      logger,
      outage,
      consumer: consumerName,
      catalog: agentInputEvents,
      filter: { streamNamePrefixes: [streams.destinations, streams.exports] },
      concurrency: { key: inputKey, maxInFlight: settings.maxInFlight },
      checkpoints,
      handle,
      ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
    });
    consumer = running;
    running.caughtUp.then(
      async () => {
        // Everything recorded before this start has come by again: what is left will not.
        recorded.clear();
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
        if (abandoning.signal.aborted && isAbort(error)) return;
        throw error;
      });
      if (failure) throw failure;
    } catch (error) {
      abandoning.abort();
      await held.settled();
      throw error;
    }
    await held.settled();
    await storeFinalCheckpoint(running);
  }

  /** The consumer stored its last checkpoint before the held exports ended: move it past those that finished since. */
  async function storeFinalCheckpoint(running: Consumer): Promise<void> {
    const position = running.stats().position;
    if (position === undefined) return;
    await checkpoints.save(consumerName, position).catch((error: unknown) => logger.warn('could not store the final checkpoint', { ...logFields, error }));
  }

  const done = start().finally(async () => {
    clearInterval(catchUpCheckpoint);
    await circuitJournal.flushed();
    registry.close();
  });
  done.catch(() => {});

  return {
    consumerName,
    caughtUp,
    done,
    stats: () => {
      const consumerStats = consumer?.stats();
      const laneStats = lanes.stats();
      const heldStats = held.stats();
      return {
        handled: consumerStats?.handled ?? 0,
        exports: exportHandler.counts(),
        inFlight: (consumerStats?.inFlight ?? 0) + heldStats.held,
        queued: heldStats.held,
        delivering: laneStats.running,
        queuedForDestination: laneStats.queued,
        openCircuits: flow.openCircuits(),
        destinations: registry.counts(),
        tokenRequests: registry.tokenRequests(),
        rejected: consumerStats?.rejected ?? 0,
        position: consumerStats?.position,
      };
    },
    async stop() {
      if (!stopping.signal.aborted) {
        stopping.abort();
        const consumerStopped = consumer?.stop();
        const grace = setTimeout(() => abandoning.abort(), settings.stopGraceMs);
        await consumerStopped;
        await held.settled();
        clearTimeout(grace);
      }
      await done.catch(() => {});
    },
  };
}

function isAbort(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return isAbortError(error) || isAbortError(cause);
}

function isAbortError(error: unknown): boolean {
  return (error instanceof Error || error instanceof DOMException) && error.name === 'AbortError';
}

function assertNever(value: never): never {
  throw new Error(`unexpected input ${JSON.stringify(value)}`);
}
