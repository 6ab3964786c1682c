import { join } from 'node:path';
import type { Logger } from '@spillway/runtime';
import { startChild, type ChildExit, type RunningChild } from './child-process.ts';
import { applyExampleConfig, startExampleReceiver, type ExampleOptions } from './example.ts';
import { waitForPort } from './wait-for-port.ts';

// The management API (SPILLWAY_API_PORT, default 8791) and the alert manager run beside the three services.
export const serviceNames = ['profile-projector', 'export-decider', 'delivery-agent', 'management-api', 'alert-manager'] as const;

export interface StackOptions {
  readonly root: string;
  readonly connectionString: string;
  /** Where the embedded store listens, or undefined to use an external store. */
  readonly embeddedStore: { readonly host: string; readonly port: number; readonly dataDir: string } | undefined;
  /** The example receiver and configuration, or undefined to run without them. */
  readonly example: ExampleOptions | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Settles with the signal that asks everything to stop. */
  readonly shutdown: Promise<NodeJS.Signals>;
  /** How long a child may take to stop before it is killed. @defaultValue 15000 */
  readonly graceMs?: number;
}

type Outcome =
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals }
  | { readonly kind: 'exit'; readonly exit: ChildExit }
  | { readonly kind: 'failed'; readonly message: string; readonly fields: Readonly<Record<string, unknown>> };

/**
 * Runs the store (unless external), the example receiver (unless switched off), the three
 * services, then applies the example configuration, until a signal or until any of them exits.
 * Nothing is restarted silently: an unexpected exit stops everything with code 1.
 * Returns the exit code for the launcher.
 */
export async function runStack(options: StackOptions): Promise<number> {
  const { logger, root, example } = options;
  const graceMs = options.graceMs ?? 15_000;
  const signalled = options.shutdown.then((signal): Outcome => ({ kind: 'signal', signal }));
  const env = { ...options.env, EVENTSTORE_CONNECTION_STRING: options.connectionString };
  // Stopped after the services, last started first.
  const backing: RunningChild[] = [];
  const stop = (reason: Outcome, services: readonly RunningChild[] = []) => stopAll(logger, reason, services, backing, graceMs);

  if (options.embeddedStore) {
    const { host, port, dataDir } = options.embeddedStore;
    const store = startChild({
      name: 'event-store',
      script: join(root, 'apps/event-store/src/main.ts'),
      args: ['--host', host, '--port', String(port), '--data', dataDir],
      env,
      cwd: root,
    });
    backing.unshift(store);
    const first = await Promise.race([waitUntilListening(host, port, store), signalled]);
    if (first.kind !== 'listening') return stop(first);
    logger.info('store listening', { host, port, dataDir, pid: store.pid });
  }

  if (example) {
    const receiver = startExampleReceiver(root, example, env);
    backing.unshift(receiver);
    const first = await Promise.race([waitUntilListening('127.0.0.1', example.receiverPort, receiver), signalled]);
    if (first.kind !== 'listening') return stop(first);
    logger.info('example receiver listening', { exports: `http://127.0.0.1:${example.receiverPort}/exports`, pid: receiver.pid });
  }

  const services = serviceNames.map((name) => startChild({ name, script: join(root, `apps/${name}/src/main.ts`), env, cwd: root }));
  logger.info('services started', { services: services.map((child) => ({ name: child.name, pid: child.pid })) });
  const anyExit = Promise.race([...services, ...backing].map((child) => child.exited)).then((exit): Outcome => ({ kind: 'exit', exit }));

  if (example) {
    const applying = applyExampleConfig(root, example, env);
    const applied = applying.exited.then((exit): Outcome | { kind: 'applied' } =>
      exit.code === 0 ? { kind: 'applied' } : { kind: 'failed', message: 'the example configuration could not be applied; stopping everything', fields: { file: example.configFile, ...exit } },
    );
    const first = await Promise.race([applied, anyExit, signalled]);
    if (first.kind !== 'applied') {
      await applying.stop(graceMs);
      return stop(first, services);
    }
    logger.info('example configuration applied', { file: example.configFile });
  }
  return stop(await Promise.race([anyExit, signalled]), services);
}

async function waitUntilListening(host: string, port: number, child: RunningChild): Promise<Outcome | { kind: 'listening' }> {
  const giveUp = new AbortController();
  const childExit = child.exited.then((exit): Outcome => ({ kind: 'exit', exit }));
  const ready = waitForPort(host, port, giveUp.signal).then(() => ({ kind: 'listening' }) as const);
  const first = await Promise.race([ready, childExit]);
  giveUp.abort();
  ready.catch(() => {});
  return first;
}

async function stopAll(logger: Logger, reason: Outcome, services: readonly RunningChild[], backing: readonly RunningChild[], graceMs: number): Promise<number> {
  switch (reason.kind) {
    case 'exit':
      logger.error('a process exited unexpectedly; stopping everything (nothing is restarted)', { ...reason.exit });
      break;
    case 'failed':
      logger.error(reason.message, reason.fields);
      break;
    case 'signal':
      logger.info('stopping', { signal: reason.signal });
      break;
    default:
      assertNever(reason);
  }
  const serviceExits = await Promise.all(services.map((child) => child.stop(graceMs)));
  const backingExits: ChildExit[] = [];
  for (const child of backing) backingExits.push(await child.stop(graceMs));
  const exits = [...serviceExits, ...backingExits];
  // A process signalled before it had loaded its shutdown handler ends by the signal's default
  // action; it had started nothing that a clean stop would have closed.
  const stoppedBeforeReady = (exit: ChildExit) => reason.kind === 'signal' && exit.code === null && (exit.signal === 'SIGTERM' || exit.signal === 'SIGINT');
  const unclean = exits.filter((exit) => exit.code !== 0 && !stoppedBeforeReady(exit));
  if (unclean.length > 0) logger.warn('not every process stopped cleanly', { exits: unclean });
  logger.info('stopped', { exits });
  return reason.kind === 'signal' && unclean.length === 0 ? 0 : 1;
}

function assertNever(value: never): never {
  throw new Error(`unexpected outcome ${JSON.stringify(value)}`);
}
