import { setTimeout as sleep } from 'node:timers/promises';
import { connectEventStore, type EventStore } from '@spillway/event-streams';
import { createLogger } from '@spillway/runtime';
import {
  startHttpReceiver,
  startService,
  startStoreProcess,
  type HttpReceiver,
  type Responder,
  type ServiceExit,
  type ServiceLogEntry,
  type ServiceProcess,
  type StoreProcess,
} from '@spillway/testing';
import { runCli, runCliOk, writeTempFile, type CliRun } from './cli.ts';
import { restartStore } from './store-restart.ts';

/** The pipeline's services: every stack runs them. */
export const serviceNames = ['profile-projector', 'export-decider', 'delivery-agent'] as const;
/** A pipeline service, or the alert manager (started when `alertManager` is set). */
export type ServiceName = (typeof serviceNames)[number] | 'alert-manager';

export interface StackOptions {
  /** Extra environment of a service (e.g. the agent's secrets). */
  readonly env?: Partial<Record<ServiceName, Readonly<Record<string, string>>>>;
  /** How the receiver answers. @defaultValue 200 */
  readonly respond?: Responder;
  /** The store's data directory. @defaultValue a fresh one under the temp dir */
  readonly storeDataDir?: string;
  /** Also runs the alert manager (apps/alert-manager), its environment in `env['alert-manager']`. @defaultValue false */
  readonly alertManager?: boolean;
}

/** The whole pipeline as real processes: a store on a temp data dir, the three services, and an HTTP receiver on loopback. */
export interface Stack {
  /** The store process running now (a new one after `storeOutage`). */
  readonly store: StoreProcess;
  readonly receiver: HttpReceiver;
  /** A client of the store, for writing ingest events and reading what the services wrote. */
  readonly client: EventStore;
  service(name: ServiceName): ServiceProcess;
  /**
   * Stops (SIGTERM) or crashes (SIGKILL) a service, then starts it again with the same environment;
   * resolves with how it exited. `whileDown` runs (and is awaited) between the exit and the start.
   */
  restart(name: ServiceName, how: 'SIGTERM' | 'SIGKILL', whileDown?: () => Promise<void>): Promise<ServiceExit>;
  /** Stops the store (SIGKILL, or SIGTERM: a clean stop), keeps it down `downMs`, then starts it again on the same port and data. */
  storeOutage(how: 'SIGTERM' | 'SIGKILL', downMs: number): Promise<void>;
  /** Runs the CLI as a process against this store. */
  cli(args: readonly string[]): Promise<CliRun>;
  /** `spillway apply` of this YAML text, written to a temp file; rejects unless it exits 0. */
  apply(yaml: string): Promise<CliRun>;
  /** Error-level log lines of every service process started so far. */
  errorLogs(): ServiceLogEntry[];
  /** Every log line of every process of this service started so far (restarts included), with its pid. */
  logsOf(name: ServiceName): (ServiceLogEntry & { pid: number })[];
  /** SIGTERM to the services, then the store; resolves with each running service's exit. */
  stop(): Promise<Partial<Record<ServiceName, ServiceExit>>>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  let store = await startStoreProcess(options.storeDataDir === undefined ? {} : { dataDir: options.storeDataDir });
  const names: readonly ServiceName[] = options.alertManager ? [...serviceNames, 'alert-manager'] : serviceNames;
  const started: ServiceProcess[] = [];
  const running = new Map<ServiceName, ServiceProcess>();
  let receiver: HttpReceiver | undefined;
  let client: EventStore | undefined;
  const envOf = (name: ServiceName) => ({ EVENTSTORE_CONNECTION_STRING: store.connectionString, ...options.env?.[name] });
  const launch = async (name: ServiceName) => {
    const service = await startService(name, envOf(name));
    started.push(service);
    running.set(name, service);
    return service;
  };
  const teardown = async () => {
    const exits = await Promise.all(names.map(async (name) => [name, await (running.get(name)?.stop() ?? Promise.resolve({ code: null, signal: null }))] as const));
    for (const service of started) await service.kill();
    await client?.close();
    await receiver?.close();
    await store.stop();
    await store.removeData();
    return Object.fromEntries(exits) as Partial<Record<ServiceName, ServiceExit>>;
  };

  try {
    receiver = await startHttpReceiver(options.respond ? { respond: options.respond } : {});
    client = await connectEventStore(store.connectionString, { logger: createLogger({ service: 'e2e', level: 'error' }), connectTimeoutMs: 10_000 });
    await Promise.all(names.map(launch));
  } catch (error) {
    await teardown().catch(() => {});
    throw error;
  }

  return {
    get store() {
      return store;
    },
    receiver,
    client,
    service: (name) => running.get(name)!,
    async restart(name, how, whileDown) {
      const current = running.get(name)!;
      const exit = how === 'SIGTERM' ? await current.stop() : await current.kill();
      await whileDown?.();
      await launch(name);
      return exit;
    },
    async storeOutage(how, downMs) {
      if (how === 'SIGKILL') await store.kill();
      else await store.stop();
      await sleep(downMs);
      store = await restartStore(store);
    },
    cli: (args) => runCli(store.connectionString, args),
    apply: async (yaml) => runCliOk(store.connectionString, ['apply', await writeTempFile('spillway.yaml', yaml)]),
    logsOf: (name) => started.filter((service) => service.name === name).flatMap((service) => service.logs().map((entry) => ({ ...entry, pid: service.pid }))),
    errorLogs: () => started.flatMap((service) => service.logs().filter((entry) => entry.level === 'error').map((entry) => ({ ...entry, process: service.name }))),
    stop: teardown,
  };
}
