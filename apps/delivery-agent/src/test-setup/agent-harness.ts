import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connectEventStore, defineEvents, deterministicEventId, type EventStore } from '@spillway/event-streams';
import {
  deadlettersStreamName,
  deliveriesStreamName,
  exportsStreamName,
  internalEventSchemas,
  type ExportAttemptFailed,
  type ExportDeadLettered,
  type ExportDelivered,
  type ExportFailed,
  type ExportSuperseded,
} from '@spillway/pipeline-events';
import { createLogger, type Logger } from '@spillway/runtime';
import { dataflowConfiguredSchema, dataflowStreamName, destinationStreamName, type DestinationConfig } from '@spillway/xdm';
import { startHttpReceiver, type HttpReceiver } from '@spillway/testing';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import { runAgent, type Agent, type AgentOptions } from '../delivery/agent.ts';
import { agentInputEvents } from '../delivery/agent-input-events.ts';
import { agentOutputEvents } from '../delivery/outcome-events.ts';

export type LogEntry = { readonly level: string; readonly message: string } & Readonly<Record<string, unknown>>;

const exportEvents = defineEvents({ ExportRequested: internalEventSchemas.ExportRequested });
const dataflowEvents = defineEvents({ DataflowConfigured: dataflowConfiguredSchema });

export type Outcome =
  | { readonly type: 'ExportDelivered'; readonly data: ExportDelivered }
  | { readonly type: 'ExportFailed'; readonly data: ExportFailed }
  | { readonly type: 'ExportSuperseded'; readonly data: ExportSuperseded };
const finalOutcomeTypes = new Set(['ExportDelivered', 'ExportFailed', 'ExportSuperseded']);

/**
 * One test's corner of the shared store: ids under a unique prefix, an agent that follows only
 * them, and a log captured as parsed JSON lines (the lines the service would print).
 */
export interface AgentWorld {
  readonly store: EventStore;
  readonly logs: LogEntry[];
  /** The raw log lines, to check nothing secret was printed. */
  readonly logText: () => string;
  /** A unique id for this test: `<prefix><label>`. */
  id(label: string): string;
  /** Writes the dataflow's configuration (`requestExport` does it for a dataflow it has not seen). */
  configureDataflow(dataflowId: string, destinationId: string): Promise<void>;
  configureDestination(config: Omit<DestinationConfig, 'includeSegmentNames' | 'includeSegmentTimestamps' | 'name'> & Partial<DestinationConfig>): Promise<void>;
  deleteDestination(destinationId: string): Promise<void>;
  /** Appends an `ExportRequested` (lane live, the decider's export id unless `exportId` is given); resolves with its export id. */
  requestExport(request: { dataflowId: string; destinationId: string; profileId: string; sequence: number; document?: Record<string, unknown>; exportId?: string; lane?: 'live' | 'backfill' }): Promise<string>;
  startAgent(options?: Partial<AgentOptions> & { env?: Record<string, string> }): Agent;
  /** Final outcomes in `deliveries-<dataflowId>` (one per export run). */
  outcomes(dataflowId: string): Promise<Outcome[]>;
  /** `ExportAttemptFailed` events in `deliveries-<dataflowId>`. */
  failedAttempts(dataflowId: string): Promise<ExportAttemptFailed[]>;
  deadLetters(dataflowId: string): Promise<ExportDeadLettered[]>;
  waitForOutcomes(dataflowId: string, count: number, timeoutMs?: number): Promise<Outcome[]>;
  close(): Promise<void>;
}

export async function createAgentWorld(): Promise<AgentWorld> {
  const prefix = `t${randomUUID().slice(0, 8)}-`;
  const lines: string[] = [];
  const logger: Logger = createLogger({ service: 'delivery-agent', level: 'debug', write: (line) => lines.push(line) });
  const store = await connectTestStore(logger);
  const agents: Agent[] = [];
  const logs: LogEntry[] = [];
  const parsed = () => {
    while (logs.length < lines.length) logs.push(JSON.parse(lines[logs.length]!) as LogEntry);
    return logs;
  };
  const configuredDataflows = new Set<string>();
  const configureDataflow = async (dataflowId: string, destinationId: string) => {
    configuredDataflows.add(dataflowId);
    await store.appendEvents(dataflowStreamName(dataflowId), dataflowEvents, [
      { type: 'DataflowConfigured', data: { dataflowId, destinationId, audiences: [], attributes: [], enabled: true } },
    ]);
  };
  const outcomes = async (dataflowId: string) =>
    (await store.readStreamEvents(deliveriesStreamName(dataflowId), agentOutputEvents)).map((stored) => stored.event as Outcome).filter((event) => finalOutcomeTypes.has(event.type));

  return {
    store,
    get logs() {
      return parsed();
    },
    logText: () => lines.join('\n'),
    id: (label) => `${prefix}${label}`,
    configureDataflow,
    async configureDestination(config) {
      const data = { name: config.destinationId, includeSegmentNames: false, includeSegmentTimestamps: false, ...config };
      await store.appendEvents(destinationStreamName(config.destinationId), agentInputEvents, [{ type: 'DestinationConfigured', data }]);
    },
    async deleteDestination(destinationId) {
      await store.appendEvents(destinationStreamName(destinationId), agentInputEvents, [{ type: 'DestinationDeleted', data: { destinationId } }]);
    },
    async requestExport({ dataflowId, destinationId, profileId, sequence, document, lane = 'live', ...given }) {
      // The agent finds the dataflows to follow in their configuration streams, as the decider's are.
      if (!configuredDataflows.has(dataflowId)) await configureDataflow(dataflowId, destinationId);
      const exportId = given.exportId ?? deterministicEventId('export', dataflowId, profileId, sequence);
      const now = new Date().toISOString();
      await store.appendEvents(exportsStreamName(dataflowId), exportEvents, [
        {
          type: 'ExportRequested',
          id: exportId,
          data: {
            exportId,
            sequence,
            dataflowId,
            destinationId,
            profileId,
            triggers: [lane === 'live' ? 'attribute' : 'backfill'],
            lane,
            document: document ?? { person: { name: { firstName: profileId } }, identityMap: { ecid: [{ id: profileId }] } },
            ingestedAt: now,
            decidedAt: now,
          },
        },
      ]);
      return exportId;
    },
    startAgent(options = {}) {
      const { env = {}, ...rest } = options;
      const agent = runAgent({
        store,
        logger,
        idPrefix: prefix,
        consumerName: `delivery-agent-test-${prefix.slice(0, -1)}`,
        secrets: { env, readFile: (path) => readFileSync(path, 'utf8') },
        checkpointEvery: { events: 1, ms: 50 },
        ...rest,
      });
      agents.push(agent);
      return agent;
    },
    outcomes,
    async failedAttempts(dataflowId) {
      return (await store.readStreamEvents(deliveriesStreamName(dataflowId), agentOutputEvents)).flatMap(({ event }) => (event.type === 'ExportAttemptFailed' ? [event.data] : []));
    },
    async deadLetters(dataflowId) {
      return (await store.readStreamEvents(deadlettersStreamName(dataflowId), agentOutputEvents)).flatMap(({ event }) => (event.type === 'ExportDeadLettered' ? [event.data] : []));
    },
    async waitForOutcomes(dataflowId, count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = await outcomes(dataflowId);
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`expected ${count} outcomes in ${deliveriesStreamName(dataflowId)} within ${timeoutMs} ms, found ${found.length}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      await Promise.all(agents.map((agent) => agent.stop()));
      await store.close();
    },
  };
}

export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Gives each test of the file a fresh AgentWorld (through `use`) and closes it after the test,
 * with every receiver the test started through the returned function.
 */
export function worldForEachTest(use: (world: AgentWorld) => void): (...args: Parameters<typeof startHttpReceiver>) => Promise<HttpReceiver> {
  let world: AgentWorld | undefined;
  const receivers: HttpReceiver[] = [];
  beforeEach(async () => {
    world = await createAgentWorld();
    use(world);
  });
  afterEach(async () => {
    await world?.close();
    await Promise.all(receivers.splice(0).map((started) => started.close()));
  });
  return async (...args) => {
    const started = await startHttpReceiver(...args);
    receivers.push(started);
    return started;
  };
}

/** The test store, through the real client. */
export const connectTestStore = (logger: Logger): Promise<EventStore> => connectEventStore(inject('eventstoreConnectionString'), { logger, connectTimeoutMs: 10_000 });

/** One connection to the test store for the whole file (given through `use`), logging nothing; closed after its tests. */
export function storeForThisFile(use: (store: EventStore) => void): void {
  let store: EventStore | undefined;
  beforeAll(async () => {
    store = await connectTestStore(createLogger({ service: 'test', write: () => {} }));
    use(store);
  });
  afterAll(() => store?.close());
}
