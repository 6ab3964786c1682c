import { rm } from 'node:fs/promises';
import { connectEventStore, type EventStore } from '@spillway/event-streams';
import { createLogger } from '@spillway/runtime';
import { startService, startStoreProcess, type ServiceProcess, type StoreProcess } from '@spillway/testing';
import { writeBenchConfiguration } from './configuration.ts';
import { startReceiver, type BenchReceiver } from './receiver.ts';

export const serviceNames = ['profile-projector', 'export-decider', 'delivery-agent'] as const;
export type ServiceName = (typeof serviceNames)[number];

/** Every process the suite measures, by the name the tables print. */
export const processNames = ['store', ...serviceNames, 'receiver', 'bench'] as const;
export type ProcessName = (typeof processNames)[number];

/** The whole pipeline as real processes, plus the bench's own client of the store. */
export interface PipelineStack {
  readonly store: StoreProcess;
  readonly receiver: BenchReceiver;
  readonly services: Readonly<Record<ServiceName, ServiceProcess>>;
  /** The bench's connection, for ingest appends. */
  readonly client: EventStore;
  readonly pids: Readonly<Record<ProcessName, number>>;
  /** Warning and error log lines of the services so far, by service. */
  problems(): Readonly<Record<ServiceName, number>>;
  stop(): Promise<void>;
}

export interface PipelineStackOptions {
  /** A data directory already holding events (the backfill suite seeds one); removed on stop. @defaultValue a fresh temp dir */
  readonly dataDir?: string;
  /** Extra environment for the three services (e.g. SPILLWAY_BACKFILL_RATE). */
  readonly serviceEnv?: Readonly<Record<string, string>>;
  /** Runs after the configuration is written and before the services start (e.g. to store their checkpoints). */
  readonly beforeServices?: (client: EventStore) => Promise<void>;
}

/**
 * A durable store (fresh temp data dir), the receiver process, the configuration written as a
 * user would, then the three services as real processes (`startService`: `process.execPath
 * apps/<svc>/src/main.ts`, default settings), each resolving on its `started` line.
 */
export async function startPipelineStack(progress: (message: string) => void, options: PipelineStackOptions = {}): Promise<PipelineStack> {
  const store = await startStoreProcess(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  const started: ServiceProcess[] = [];
  let receiver: BenchReceiver | undefined;
  let client: EventStore | undefined;
  const stop = async () => {
    await Promise.all(started.map((service) => service.stop().catch(() => service.kill())));
    await client?.close();
    await receiver?.stop();
    await store.stop();
    await store.removeData();
    if (options.dataDir !== undefined) await rm(options.dataDir, { recursive: true, force: true });
  };
  try {
    receiver = await startReceiver();
    client = await connectEventStore(store.connectionString, { logger: createLogger({ service: 'bench', level: 'error' }), connectTimeoutMs: 10_000 });
    await writeBenchConfiguration(client, receiver.url, new Date());
    await options.beforeServices?.(client);
    const env = { ...options.serviceEnv, EVENTSTORE_CONNECTION_STRING: store.connectionString, LOG_LEVEL: 'info' };
    const services = await Promise.all(
      serviceNames.map(async (name) => {
        const service = await startService(name, env);
        started.push(service);
        return service;
      }),
    );
    const byName = Object.fromEntries(serviceNames.map((name, index) => [name, services[index]!])) as Record<ServiceName, ServiceProcess>;
    progress(`store pid ${store.pid} (${store.dataDir}), receiver pid ${receiver.pid} on ${receiver.url}, ${serviceNames.map((name) => `${name} pid ${byName[name].pid}`).join(', ')}`);
    return {
      store,
      receiver,
      services: byName,
      client,
      pids: {
        store: store.pid,
        'profile-projector': byName['profile-projector'].pid,
        'export-decider': byName['export-decider'].pid,
        'delivery-agent': byName['delivery-agent'].pid,
        receiver: receiver.pid,
        bench: process.pid,
      },
      problems: () =>
        Object.fromEntries(serviceNames.map((name) => [name, byName[name].logs().filter((entry) => entry.level === 'warn' || entry.level === 'error').length])) as Record<
          ServiceName,
          number
        >,
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
