import { StoreUnavailableError, connectEventStore, parseStoreEnvironment, type EventStore } from '@spillway/event-streams';
import type { CliContext } from './context.ts';
import { ApplyInterruptedError, StoreUnreachableError, UsageError, maskCredentials } from './errors.ts';

/** Long enough for a store that is still starting, short enough that a typo in --connection is noticed. */
const connectTimeoutMs = 5_000;
// The connect check itself has no deadline; a host that never answers must not hang the CLI.
const hardTimeoutMs = connectTimeoutMs + 3_000;

/** Connects, runs `use`, and closes. Store failures become StoreUnreachableError (exit code 2). */
export async function withStore<T>(context: CliContext, use: (store: EventStore) => Promise<T>): Promise<T> {
  const target = maskCredentials(context.connectionString);
  checkConnectionString(context.connectionString);
  let store: EventStore;
  try {
    store = await withDeadline(connectEventStore(context.connectionString, { logger: context.logger, connectTimeoutMs }), target);
  } catch (error) {
    throw asCliError(error, target);
  }
  try {
    return await use(store);
  } catch (error) {
    throw asCliError(error, target);
  } finally {
    await store.close();
  }
}

function checkConnectionString(connectionString: string): void {
  try {
    parseStoreEnvironment({ EVENTSTORE_CONNECTION_STRING: connectionString });
  } catch {
    throw new UsageError(`the connection string ${maskCredentials(connectionString)} must look like esdb://host:port?tls=false`);
  }
}

function asCliError(error: unknown, target: string): unknown {
  if (error instanceof ApplyInterruptedError) return new ApplyInterruptedError(error.written, asCliError(error.cause, target));
  if (error instanceof StoreUnavailableError) return new StoreUnreachableError(target, shortReason(error.cause), error);
  // The client refuses a connection string it cannot parse before any network call.
  if (error instanceof Error && /connection ?string/i.test(error.name + error.message)) {
    return new UsageError(`cannot use the connection string ${target}: ${error.message.split('\n')[0]}`);
  }
  return error;
}

function shortReason(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  if (/ECONNREFUSED/.test(message)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return 'host not found';
  if (/deadline|timed? ?out/i.test(message)) return `no answer within ${connectTimeoutMs / 1000} s`;
  const firstLine = message.split('\n')[0] ?? message;
  return firstLine.length > 160 ? `${firstLine.slice(0, 160)}...` : firstLine;
}

async function withDeadline<T>(promise: Promise<T>, target: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnreachableError(target, `no answer within ${hardTimeoutMs / 1000} s`)), hardTimeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
