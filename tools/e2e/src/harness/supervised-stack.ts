import { setTimeout as sleep } from 'node:timers/promises';
import { connectEventStore, type EventStore } from '@spillway/event-streams';
import { createLogger } from '@spillway/runtime';
import { startService, startStoreProcess, type ServiceExit, type ServiceLogEntry, type ServiceProcess, type StoreProcess } from '@spillway/testing';
import { runCliOk, writeTempFile } from './cli.ts';
import { serviceNames, type ServiceName } from './stack.ts';
import { restartStore } from './store-restart.ts';

export interface UnplannedExit {
  readonly service: ServiceName;
  readonly exit: ServiceExit;
  readonly at: number;
}

/**
 * The store and the three services as real processes under a supervisor, as an operator would
 * run them: a service that exits on its own (e.g. when the store went away) is started again,
 * retried until it says `started`. The test crashes services and the store with SIGKILL; the
 * store comes back on the same port and data directory.
 */
export interface SupervisedStack {
  /** The store's connection string (the same across store restarts). */
  readonly connectionString: string;
  /** A client of the store for writing ingest events and reading what the services wrote. */
  readonly client: EventStore;
  /** SIGKILL of the service, a pause, then it is started again (resolves once it runs). */
  crashService(name: ServiceName, pauseMs: number): Promise<void>;
  /** SIGKILL of the store, a pause, then a new store on the same port and data dir. */
  crashStore(pauseMs: number): Promise<void>;
  apply(yaml: string): Promise<void>;
  /** Service exits the test did not cause, each followed by a restart. */
  unplannedExits(): readonly UnplannedExit[];
  /** Starts that failed (the process exited before `started`) and were retried. */
  failedStarts(): number;
  /** Error-level log lines of every service process started so far. */
  errorLogs(): (ServiceLogEntry & { process: string })[];
  stop(): Promise<void>;
}

export async function startSupervisedStack(env: Partial<Record<ServiceName, Readonly<Record<string, string>>>> = {}): Promise<SupervisedStack> {
  let store: StoreProcess = await startStoreProcess();
  const connectionString = store.connectionString;
  const client = await connectEventStore(connectionString, { logger: createLogger({ service: 'e2e', level: 'error' }), connectTimeoutMs: 10_000 });
  const running = new Map<ServiceName, ServiceProcess>();
  const planned = new Map<ServiceName, Promise<void>>();
  const started: ServiceProcess[] = [];
  const unplanned: UnplannedExit[] = [];
  let failedStarts = 0;
  let stopping = false;

  const launch = async (name: ServiceName): Promise<ServiceProcess | undefined> => {
    while (!stopping) {
      try {
        const service = await startService(name, { EVENTSTORE_CONNECTION_STRING: connectionString, ...env[name] }, { startTimeoutMs: 30_000 });
        started.push(service);
        return service;
      } catch {
        failedStarts++;
        await sleep(300);
      }
    }
    return undefined;
  };
  const supervise = async (name: ServiceName, first: ServiceProcess) => {
    let service: ServiceProcess | undefined = first;
    while (service) {
      running.set(name, service);
      const exit = await service.exited;
      running.delete(name);
      if (stopping) return;
      const plan = planned.get(name);
      if (plan) await plan;
      else unplanned.push({ service: name, exit, at: Date.now() });
      service = await launch(name);
    }
  };
  const supervisors: Promise<void>[] = [];
  const firstStarts = await Promise.all(serviceNames.map(async (name) => [name, await launch(name)] as const));
  for (const [name, service] of firstStarts) if (service) supervisors.push(supervise(name, service));

  const waitRunning = async (name: ServiceName) => {
    while (!running.has(name)) await sleep(20);
    return running.get(name)!;
  };

  return {
    connectionString,
    client,
    async crashService(name, pauseMs) {
      const service = await waitRunning(name);
      const plan = (async () => {
        await service.kill();
        await sleep(pauseMs);
      })();
      planned.set(name, plan);
      await plan;
      await waitRunning(name);
      planned.delete(name);
    },
    async crashStore(pauseMs) {
      await store.kill();
      await sleep(pauseMs);
      store = await restartStore(store);
    },
    apply: async (yaml) => {
      await runCliOk(connectionString, ['apply', await writeTempFile('spillway.yaml', yaml)]);
    },
    unplannedExits: () => [...unplanned],
    failedStarts: () => failedStarts,
    errorLogs: () => started.flatMap((service) => service.logs().flatMap((entry) => (entry.level === 'error' ? [{ ...entry, process: service.name }] : []))),
    async stop() {
      stopping = true;
      await Promise.all([...running.values()].map((service) => service.stop().catch(() => service.kill())));
      await Promise.all(supervisors);
      for (const service of started) await service.kill();
      await client.close();
      await store.stop();
      await store.removeData();
    },
  };
}
