import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HttpClient, PostAnswer, PostOwn, PostTemplate, PreparedPost } from '../http-client.ts';
import type { ExportClientSettings, ExportConnectionSettings } from '../tls/export-connections.ts';
import { createMessageBatcher, type FromSender, type SenderThreadData, type ToSender } from './sender-messages.ts';

export interface SenderThreadsOptions {
  /** Threads to start (at least 1); each destination's POSTs go out from one of them, in turn. */
  readonly count: number;
  readonly connections: ExportConnectionSettings;
  readonly dnsServers?: readonly string[];
  /**
   * A thread stopped while not asked to (a defect): called before the requests it had are failed
   * with `SenderThreadExitedError`, so the caller can first abandon them (the agent stops).
   */
  readonly onFailure: (error: Error) => void;
}

/**
 * Threads that send export POSTs, so that building and answering requests (got and Node's HTTP
 * client, about half of the agent's work per export) runs beside the thread that reads exports
 * and records outcomes.
 */
export interface SenderThreads {
  /**
   * `local`'s exports, sent from a thread over connections made there the same way; `local`
   * keeps everything else (an OAuth token request goes from this thread).
   */
  sendFrom(local: HttpClient, connection: ExportClientSettings): HttpClient;
  /** Stops the threads; requests still in flight fail with `SenderThreadExitedError`. */
  close(): Promise<void>;
}

export class SenderThreadExitedError extends Error {
  override readonly name = 'SenderThreadExitedError';
  readonly code = 'ERR_SENDER_THREAD_EXITED';
}

interface Pending {
  readonly resolve: (answer: PostAnswer) => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
}

interface SenderThread {
  readonly worker: Worker;
  readonly send: (message: ToSender) => void;
  readonly pending: Map<number, Pending>;
}

// Resolved next to this module, so that it holds for the sources (.ts) and a build (.js) alike.
const threadEntry = new URL(`./sender-thread${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

export function startSenderThreads(options: SenderThreadsOptions): SenderThreads {
  if (!Number.isInteger(options.count) || options.count < 1) throw new Error(`sender threads: count must be a whole number of at least 1, got ${options.count}`);
  const data: SenderThreadData = { connections: options.connections, ...(options.dnsServers ? { dnsServers: options.dnsServers } : {}) };
  let closing = false;
  let failure: Error | undefined;
  let ids = 0;
  const signalIds = new WeakMap<AbortSignal, number>();
  let signalCount = 0;

  const threads: SenderThread[] = Array.from({ length: options.count }, () => {
    const worker = new Worker(threadEntry, { workerData: data, name: 'spillway-sender' });
    // Held open only while it has requests in flight: an idle sender never keeps the process alive.
    worker.unref();
    const thread: SenderThread = { worker, send: createMessageBatcher<ToSender>((batch) => worker.postMessage(batch), queueMicrotask), pending: new Map() };
    worker.on('message', (batch: readonly FromSender[]) => {
      for (const answer of batch) settle(thread, answer);
    });
    worker.on('error', (error) => failed(error));
    worker.on('exit', (code) => {
      if (!closing) failed(new SenderThreadExitedError(`a sender thread exited with code ${code}`));
    });
    return thread;
  });

  function settle(thread: SenderThread, answer: FromSender): void {
    const pending = thread.pending.get(answer.id);
    // Not found: abandoned when its signal aborted.
    if (pending === undefined) return;
    forget(thread, answer.id);
    if ('error' in answer) pending.reject(Object.assign(new Error(answer.error.message), { name: answer.error.name, ...(answer.error.code === undefined ? {} : { code: answer.error.code }) }));
    else pending.resolve({ statusCode: answer.statusCode, retryAfter: answer.retryAfter });
  }

  function forget(thread: SenderThread, id: number): void {
    thread.pending.delete(id);
    if (thread.pending.size === 0) thread.worker.unref();
  }

  function failed(cause: Error): void {
    if (failure !== undefined) return;
    failure = cause instanceof SenderThreadExitedError ? cause : new SenderThreadExitedError(`a sender thread failed: ${cause.message}`, { cause });
    options.onFailure(failure);
    rejectAll(failure);
  }

  function rejectAll(error: Error): void {
    for (const thread of threads) {
      for (const [id, pending] of thread.pending) {
        forget(thread, id);
        pending.reject(error);
      }
    }
  }

  /** One listener per signal: when it aborts, every thread destroys that signal's requests, and they are rejected here at once. */
  function signalNumber(signal: AbortSignal): number {
    const id = signalIds.get(signal);
    if (id !== undefined) return id;
    const assigned = ++signalCount;
    signalIds.set(signal, assigned);
    signal.addEventListener(
      'abort',
      () => {
        for (const thread of threads) {
          thread.send({ kind: 'abort', signal: assigned });
          for (const [pendingId, pending] of thread.pending) {
            if (pending.signal !== signal) continue;
            forget(thread, pendingId);
            pending.reject(abortErrorOf(signal));
          }
        }
      },
      { once: true },
    );
    return assigned;
  }

  let clients = 0;
  let posts = 0;
  const prepareOn = (thread: SenderThread, client: number, template: PostTemplate): PreparedPost => {
    const post = ++posts;
    thread.send({ kind: 'prepare', post, client, template });
    return ({ headers, body, signal }: PostOwn) =>
      new Promise<PostAnswer>((resolve, reject) => {
        if (failure !== undefined) return reject(failure);
        if (signal?.aborted) return reject(abortErrorOf(signal));
        const id = ++ids;
        if (thread.pending.size === 0) thread.worker.ref();
        thread.pending.set(id, { resolve, reject, signal });
        thread.send({ kind: 'post', id, post, headers, body, ...(signal === undefined ? {} : { signal: signalNumber(signal) }) });
      });
  };

  return {
    sendFrom(local, connection) {
      const client = ++clients;
      const thread = threads[client % threads.length]!;
      thread.send({ kind: 'open', client, maxSockets: connection.maxSockets, mtls: connection.mtls });
      return {
        got: local.got,
        prepare: (template) => prepareOn(thread, client, template),
        close: () => {
          local.close();
          thread.send({ kind: 'close', client });
        },
      };
    },
    async close() {
      closing = true;
      rejectAll(new SenderThreadExitedError('the sender threads were stopped'));
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
    },
  };
}

/** As got's: what the agent and `deliverExport` take for an abandoned request. */
function abortErrorOf(signal: AbortSignal): Error {
  return Object.assign(new Error('This operation was aborted.'), { name: 'AbortError', code: 'ERR_ABORTED', cause: signal.reason });
}
