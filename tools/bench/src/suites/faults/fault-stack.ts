import { connectEventStore, type EventStore } from '@spillway/event-streams';
import { createLogger } from '@spillway/runtime';
import { startFaultyReceiver, startService, startStoreProcess, type FaultRates, type FaultyReceiver, type ServiceProcess, type StoreProcess } from '@spillway/testing';
import { writeBenchConfiguration } from '../pipeline/configuration.ts';
import { serviceNames, type ServiceName } from '../pipeline/stack.ts';

/**
 * The endpoint's behaviour, per request: 10 % answered 500, 5 % 429 with Retry-After: 1, 3 %
 * answered only after 3 s (past the agent's 2 s timeout), 5 % connection dropped without an
 * answer; the other 77 % are 200. Draws are seeded, so runs differ only by timing.
 */
export const faultMix: FaultRates = { serverError: 0.1, tooManyRequests: 0.05, slow: 0.03, drop: 0.05 };
export const faultSeed = 20_261_122;

export interface FaultStack {
  readonly store: StoreProcess;
  readonly receiver: FaultyReceiver;
  readonly client: EventStore;
  readonly services: Readonly<Record<ServiceName, ServiceProcess>>;
  stop(): Promise<void>;
}

/**
 * A durable store, the faulty receiver (in the bench process), the bench configuration (one
 * dataflow; its destination keeps the product's default retry policy), and the three services.
 */
export async function startFaultStack(progress: (message: string) => void): Promise<FaultStack> {
  const store = await startStoreProcess();
  const started: ServiceProcess[] = [];
  let receiver: FaultyReceiver | undefined;
  let client: EventStore | undefined;
  const stop = async () => {
    await Promise.all(started.map((service) => service.stop().catch(() => service.kill())));
    await client?.close();
    await receiver?.close();
    await store.stop();
    await store.removeData();
  };
  try {
    receiver = await startFaultyReceiver({ seed: faultSeed, rates: faultMix, slowMs: 3_000, retryAfterSeconds: 1, profileIdOf: () => '' });
    client = await connectEventStore(store.connectionString, { logger: createLogger({ service: 'bench', level: 'error' }), connectTimeoutMs: 10_000 });
    await writeBenchConfiguration(client, receiver.url, new Date());
    const env = { EVENTSTORE_CONNECTION_STRING: store.connectionString, LOG_LEVEL: 'info' };
    const services = await Promise.all(
      serviceNames.map(async (name) => {
        const service = await startService(name, env);
        started.push(service);
        return [name, service] as const;
      }),
    );
    progress(`store pid ${store.pid}, faulty receiver on ${receiver.url}, ${services.map(([name, service]) => `${name} pid ${service.pid}`).join(', ')}`);
    return { store, receiver, client, services: Object.fromEntries(services) as Record<ServiceName, ServiceProcess>, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
