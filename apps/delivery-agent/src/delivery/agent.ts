import { startSenderThreads, type RetryPolicy, type SecretSources } from '@spillway/delivery';
import {
  comparePositions,
  createOutageReporter,
  HandlerFailedError,
  partitionConsumerName,
  retryWhileUnavailable,
  type Consumer,
  type EventStore,
  type Partition,
  type Position,
} from '@spillway/event-streams';
import type { AgentMetrics } from '@spillway/metrics';
import type { Logger } from '@spillway/runtime';
import { destinationClients, exportConnectionSettingsOf, plainConnections, type AgentConnections } from '../connections/agent-connections.ts';
import { createDestinationRegistry, type DestinationRegistry } from '../destinations/destination-registry.ts';
import { createDestinationLoader } from '../destinations/load-destinations.ts';
import { createCircuitJournal, loadCircuits } from '../flow-control/circuit-journal.ts';
import { createFlowControl } from '../flow-control/flow-control.ts';
import { agentStreamPrefixes, type AgentInputMessage } from './agent-input-events.ts';
import { runDataflowConsumer, type DataflowConsumer, type DataflowConsumerContext } from './dataflow-consumer.ts';
import { followDataflows } from './dataflow-discovery.ts';
import { createDestinationLanes } from './destination-lanes.ts';
import { createExportHandler, type ExportCounts } from './export-handler.ts';
import { isAbort } from './is-abort.ts';
import type { ExportRun } from './retry-events.ts';
import { withOutcomeMetrics } from './outcome-metrics.ts';
import { createOutcomeRecorder } from './outcome-recorder.ts';
import { createRecordedOutcomesByDataflow } from './recorded-outcomes-by-dataflow.ts';
import { newestDeliveredIn } from './newest-delivered.ts';

export const agentServiceName = 'delivery-agent';

export interface AgentSettings {
  readonly partition: Partition;
  /** Events each dataflow's consumer reads ahead of the oldest one not yet taken in hand (an export waiting for room in its destination's queue). */
  readonly maxInFlight: number;
  /** Exports one destination holds at once per dataflow (sending, or waiting for a request slot, the rate limit, a retry or its circuit), out of that dataflow consumer's window. */
  readonly maxQueuedPerDestination: number;
  /** Requests running at once per destination (and its connection pool size); a destination's `maxInFlight` can lower it. */
  readonly maxInFlightPerDestination: number;
  /** On stop, how long deliveries in flight may take to finish before they are abandoned (and sent again after a restart). */
  readonly stopGraceMs: number;
  /** How often destinations' secret references are read again, so a rotated `file:` secret is taken up; 0: never. */
  readonly secretRefreshMs: number;
  /** Threads that send the export POSTs (each destination's from one of them); 0: this thread sends them. */
  readonly senderThreads: number;
}

export const defaultAgentSettings: AgentSettings = {
  partition: { index: 0, count: 1 },
  maxInFlight: 1024,
  maxQueuedPerDestination: 10_000,
  maxInFlightPerDestination: 64,
  stopGraceMs: 1_000,
  secretRefreshMs: 60_000,
  senderThreads: 1,
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
  /**
   * Names the dataflow consumers' checkpoints (`<name>-dataflow-<dataflowId>`); the checkpoint of
   * this name, the single consumer's of an agent from before, is where a dataflow consumer with
   * none of its own starts. @defaultValue `delivery-agent-<k>-of-<n>`
   */
  readonly consumerName?: string;
  /** Counts each outcome once it is recorded. @defaultValue none */
  readonly metrics?: AgentMetrics;
}

export interface AgentStats {
  /** Events handled by the dataflow consumers (each reads every destination event, and its exports of every partition). */
  readonly handled: number;
  /** This instance's exports. */
  readonly exports: ExportCounts;
  /** Events in the dataflow consumers' windows plus exports held by their destinations' queues. */
  readonly inFlight: number;
  /** Exports held by their destinations' queues (out of their consumers' windows). */
  readonly queued: number;
  readonly delivering: number;
  readonly queuedForDestination: number;
  /** Destinations whose circuit is open: their exports wait. */
  readonly openCircuits: readonly string[];
  readonly destinations: { readonly usable: number; readonly unusable: number; readonly deleted: number };
  /** OAuth token requests sent. */
  readonly tokenRequests: number;
  /** Events the dataflow consumers skipped as not parsing. */
  readonly rejected: number;
  /** The lowest of the dataflow consumers' low watermarks. */
  readonly position: Position | undefined;
}

export interface Agent {
  readonly consumerName: string;
  /** Resolves once the consumer of every dataflow in the store at the start has handled everything that was in the store when it started. */
  readonly caughtUp: Promise<void>;
  /** Resolves once stopped; rejects if the agent failed. */
  readonly done: Promise<void>;
  stats(): AgentStats;
  /** Stops reading, gives deliveries in flight `stopGraceMs` to finish, abandons the rest (they are sent again after a restart). */
  stop(): Promise<void>;
}

/**
 * Follows destinations and export requests of its partition, delivers each export and records
 * the outcome: one export consumer per dataflow (found by a control consumer of the dataflow
 * configuration streams), sharing the destinations, their lanes and circuits, and the recorder.
 */
export function runAgent(options: AgentOptions): Agent {
  const settings: AgentSettings = {
    partition: options.partition ?? defaultAgentSettings.partition,
    maxInFlight: options.maxInFlight ?? defaultAgentSettings.maxInFlight,
    maxQueuedPerDestination: options.maxQueuedPerDestination ?? defaultAgentSettings.maxQueuedPerDestination,
    maxInFlightPerDestination: options.maxInFlightPerDestination ?? defaultAgentSettings.maxInFlightPerDestination,
    stopGraceMs: options.stopGraceMs ?? defaultAgentSettings.stopGraceMs,
    secretRefreshMs: options.secretRefreshMs ?? defaultAgentSettings.secretRefreshMs,
    senderThreads: options.senderThreads ?? defaultAgentSettings.senderThreads,
  };
  const { store, logger } = options;
  const idPrefix = options.idPrefix ?? '';
  const consumerName = options.consumerName ?? partitionConsumerName(agentServiceName, settings.partition);
  const streams = agentStreamPrefixes(idPrefix);
  const logFields = { consumer: consumerName };
  // One outage, told once: the consumers, the exports out of their windows and the start share it.
  const outage = createOutageReporter(logger.child(logFields));
  const stopping = new AbortController();
  const abandoning = new AbortController();
  const connections = options.connections ?? plainConnections;
  // A sender thread that fails is a defect: the agent stops as for a consumer's failure (fail() abandons what is in flight first).
  const senders =
    settings.senderThreads === 0
      ? undefined
      : startSenderThreads({ count: settings.senderThreads, connections: exportConnectionSettingsOf(connections), ...(connections.dnsServers ? { dnsServers: connections.dnsServers } : {}), onFailure: (error) => fail(error, 'sender thread failed') });
  const registry = createDestinationRegistry({
    secrets: options.secrets,
    ...destinationClients(connections, settings.maxInFlightPerDestination, senders),
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
  const recorded = createRecordedOutcomesByDataflow();
  let failure: unknown;
  let control: Consumer | undefined;
  const dataflows = new Map<string, DataflowConsumer>();
  let resolveCaughtUp: () => void = () => {};
  const caughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));

  const outcomes = createOutcomeRecorder({ store, logger, signal: abandoning.signal, outage });
  const exportHandler = createExportHandler({
    outcomes: options.metrics ? withOutcomeMetrics(outcomes, options.metrics) : outcomes,
    destinations: registry,
    lanes,
    flow,
    recorded,
    loadDelivered: (replayed) => newestDeliveredIn(store, replayed),
    retry: options.retry ?? {},
    signal: abandoning.signal,
    logger,
    now,
  });

  /** A failure of any consumer stops the whole agent, as the single consumer did: deliveries are abandoned, every checkpoint stays before them. */
  function fail(error: unknown, what = 'consumer failed'): void {
    if (failure !== undefined) return;
    failure = error;
    logger.error(what, { ...logFields, error });
    stopping.abort();
    abandoning.abort();
    void control?.stop();
    for (const dataflow of dataflows.values()) void dataflow.stop();
  }

  /** Delivers an export out of its consumer's window: a store outage is retried here, as the consumer would. */
  async function deliver(run: ExportRun, message: AgentInputMessage, consumer: string): Promise<void> {
    try {
      await retryWhileUnavailable(`handling ${message.eventId}`, () => exportHandler.handle(run), { outage, signal: stopping.signal });
    } catch (error) {
      if (stopping.signal.aborted || isAbort(error)) throw error;
      // As the consumer does for a handler error: stop, the checkpoint staying before this export.
      fail(new HandlerFailedError(consumer, message, error));
      throw error;
    }
  }

  const dataflowContext: DataflowConsumerContext = {
    store,
    logger,
    outage,
    partition: settings.partition,
    maxInFlight: settings.maxInFlight,
    maxQueuedPerDestination: settings.maxQueuedPerDestination,
    agentConsumer: consumerName,
    destinationStreamPrefix: streams.destinations,
    destinations,
    loadDestinationsUpTo: createDestinationLoader(store, destinations, { streamPrefix: streams.destinations, logger, logFields }).upTo,
    recorded,
    deliver,
    fail,
    failed: () => failure !== undefined,
    stopping: stopping.signal,
    abandoning: abandoning.signal,
    checkpointEvery: options.checkpointEvery,
  };

  function startDataflow(dataflowId: string, configuredAt: Position | undefined): void {
    if (stopping.signal.aborted) return;
    const dataflow = runDataflowConsumer(dataflowContext, dataflowId, configuredAt);
    dataflows.set(dataflowId, dataflow);
    // Once stopping, an error is no failure (as in runConsumer): e.g. a store outage cut short at start.
    dataflow.done.catch((error: unknown) => {
      if (!stopping.signal.aborted) fail(error);
    });
  }

  /** Circuits open before the restart stay open: their exports keep waiting for a probe to be answered. */
  async function restoreCircuits(): Promise<void> {
    const circuits = await retryWhileUnavailable('starting', () => loadCircuits(store, idPrefix), { outage, signal: stopping.signal });
    for (const { destinationId, event } of circuits) {
      if (event.type !== 'CircuitOpened') continue;
      flow.restore(destinationId, event);
      options.metrics?.circuitChanged(destinationId, true);
      logger.warn('circuit open since before the start: exports to the destination wait for a probe', { ...logFields, ...event.data });
    }
  }

  async function start(): Promise<void> {
    await restoreCircuits();
    if (stopping.signal.aborted) return;
    const following = followDataflows({ store, logger, outage, consumer: `${consumerName}-dataflows`, idPrefix, found: startDataflow });
    control = following;
    following.caughtUp.then(
      async () => {
        await Promise.all([...dataflows.values()].map((dataflow) => dataflow.caughtUp));
        resolveCaughtUp();
      },
      () => {},
    );
    await following.done.catch(fail);
    // Stopped (or failed): no dataflow is started from here on.
    await Promise.allSettled([...dataflows.values()].map((dataflow) => dataflow.done));
    if (failure !== undefined) throw failure;
  }

  const secretRefresh = settings.secretRefreshMs > 0 ? setInterval(() => registry.refreshSecrets(), settings.secretRefreshMs) : undefined;
  secretRefresh?.unref();
  const done = start().finally(async () => {
    clearInterval(secretRefresh);
    await circuitJournal.flushed();
    registry.close();
    await senders?.close();
  });
  done.catch(() => {});

  return {
    consumerName,
    caughtUp,
    done,
    stats: () => {
      const each = [...dataflows.values()].map((dataflow) => dataflow.stats());
      const sum = (field: 'handled' | 'rejected' | 'inFlight' | 'held') => each.reduce((total, stats) => total + stats[field], 0);
      const laneStats = lanes.stats();
      return {
        handled: sum('handled'),
        exports: exportHandler.counts(),
        inFlight: sum('inFlight'),
        queued: sum('held'),
        delivering: laneStats.running,
        queuedForDestination: laneStats.queued,
        openCircuits: flow.openCircuits(),
        destinations: registry.counts(),
        tokenRequests: registry.tokenRequests(),
        rejected: sum('rejected'),
        position: lowest(each.map((stats) => stats.position)),
      };
    },
    async stop() {
      if (!stopping.signal.aborted) {
        stopping.abort();
        const grace = setTimeout(() => abandoning.abort(), settings.stopGraceMs);
        await Promise.all([control?.stop(), ...[...dataflows.values()].map((dataflow) => dataflow.stop())]);
        clearTimeout(grace);
      }
      await done.catch(() => {});
    },
  };
}

/** The position of the consumer furthest behind (undefined while one has none yet). */
function lowest(positions: readonly (Position | undefined)[]): Position | undefined {
  let low: Position | undefined;
  for (const position of positions) {
    if (position === undefined) return undefined;
    if (low === undefined || comparePositions(position, low) < 0) low = position;
  }
  return low;
}
