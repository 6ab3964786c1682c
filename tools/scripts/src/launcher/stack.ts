import { join } from 'node:path';
import type { Logger } from '@spillway/runtime';
import { startChild, type ChildExit, type RunningChild } from './child-process.ts';
import { waitForPort } from './wait-for-port.ts';

export const serviceNames = ['profile-projector', 'export-decider', 'delivery-agent'] as const;

export interface StackOptions {
  readonly root: string;
  readonly connectionString: string;
  /** Where the embedded store listens, or undefined to use an external store. */
  readonly embeddedStore: { readonly host: string; readonly port: number; readonly dataDir: string } | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Settles with the signal that asks everything to stop. */
  readonly shutdown: Promise<NodeJS.Signals>;
  /** How long a child may take to stop before it is killed. @defaultValue 15000 */
  readonly graceMs?: number;
}

type Outcome = { readonly kind: 'signal'; readonly signal: NodeJS.Signals } | { readonly kind: 'exit'; readonly exit: ChildExit };

/**
 * Runs the store (unless external) and the three services until a signal or until any of them
 * exits. Nothing is restarted silently: an unexpected exit stops everything with code 1.
 * Returns the exit code for the launcher.
 */
export async function runStack(options: StackOptions): Promise<number> {
  const { logger } = options;
  const graceMs = options.graceMs ?? 15_000;
  const signalled = options.shutdown.then((signal): Outcome => ({ kind: 'signal', signal }));
  const env = { ...options.env, EVENTSTORE_CONNECTION_STRING: options.connectionString };

  let store: RunningChild | undefined;
  if (options.embeddedStore) {
    const { host, port, dataDir } = options.embeddedStore;
    store = startChild({
      name: 'event-store',
      script: join(options.root, 'apps/event-store/src/main.ts'),
      args: ['--host', host, '--port', String(port), '--data', dataDir],
      env,
      cwd: options.root,
    });
    const listening = waitUntilListening(host, port, store);
    const first = await Promise.race([listening, signalled]);
    if (first.kind !== 'listening') return stopAll(logger, first, [], store, graceMs);
    logger.info('store listening', { host, port, dataDir, pid: store.pid });
  }

  const services = serviceNames.map((name) =>
    startChild({ name, script: join(options.root, `apps/${name}/src/main.ts`), env, cwd: options.root }),
  );
  logger.info('services started', { services: services.map((child) => ({ name: child.name, pid: child.pid })) });
  const anyExit = Promise.race([...services, ...(store ? [store] : [])].map((child) => child.exited)).then(
    (exit): Outcome => ({ kind: 'exit', exit }),
  );
  return stopAll(logger, await Promise.race([anyExit, signalled]), services, store, graceMs);
}

async function waitUntilListening(host: string, port: number, store: RunningChild): Promise<Outcome | { kind: 'listening' }> {
  const giveUp = new AbortController();
  const storeExit = store.exited.then((exit): Outcome => ({ kind: 'exit', exit }));
  const ready = waitForPort(host, port, giveUp.signal).then(() => ({ kind: 'listening' }) as const);
  const first = await Promise.race([ready, storeExit]);
  giveUp.abort();
  ready.catch(() => {});
  return first;
}

async function stopAll(
  logger: Logger,
  reason: Outcome,
  services: readonly RunningChild[],
  store: RunningChild | undefined,
  graceMs: number,
): Promise<number> {
  if (reason.kind === 'exit') {
    logger.error('a process exited unexpectedly; stopping everything (nothing is restarted)', { ...reason.exit });
  } else {
    logger.info('stopping', { signal: reason.signal });
  }
  const serviceExits = await Promise.all(services.map((child) => child.stop(graceMs)));
  const storeExit = store ? await store.stop(graceMs) : undefined;
  const exits = storeExit ? [...serviceExits, storeExit] : serviceExits;
  const unclean = exits.filter((exit) => exit.code !== 0);
  if (unclean.length > 0) logger.warn('not every process stopped cleanly', { exits: unclean });
  logger.info('stopped', { exits });
  return reason.kind === 'signal' && unclean.length === 0 ? 0 : 1;
}
