import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ReceiverMessage } from './receiver-process.ts';

const receiverMain = fileURLToPath(new URL('./receiver-process.ts', import.meta.url));
const startTimeoutMs = 15_000;

/** Called for every request the receiver answered, in arrival order. */
export type ReceiptListener = (exportId: string, receivedAtEpochMs: number) => void;

/** The receiver process (receiver-process.ts) seen from the bench. */
export interface BenchReceiver {
  readonly pid: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Requests answered so far, and the bytes of their bodies. */
  counts(): { readonly requests: number; readonly bodyBytes: number };
  /** Replaces the listener (one at a time: each phase routes receipts its own way). */
  onReceipt(listener: ReceiptListener): void;
  stop(): Promise<void>;
}

export class ReceiverStartError extends Error {
  readonly type = 'receiver-start-error';
  constructor(reason: string) {
    super(`the bench receiver did not start: ${reason}`);
    this.name = 'ReceiverStartError';
  }
}

export async function startReceiver(): Promise<BenchReceiver> {
  const child = fork(receiverMain, [], { execPath: process.execPath, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let listener: ReceiptListener = () => {};
  let requests = 0;
  let bodyBytes = 0;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ReceiverStartError(`no port within ${startTimeoutMs} ms`)), startTimeoutMs);
    child.on('message', (message: ReceiverMessage) => {
      switch (message.kind) {
        case 'listening':
          clearTimeout(timer);
          resolve(message.port);
          return;
        case 'receipts':
          requests += message.exportIds.length;
          bodyBytes += message.bodyBytes;
          for (let index = 0; index < message.exportIds.length; index++) listener(message.exportIds[index]!, message.receivedAt[index]!);
          return;
        default:
          assertNever(message);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new ReceiverStartError('it exited'));
    });
  }).catch(async (error: unknown) => {
    await stopChild(child, exited);
    throw error;
  });
  return {
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ requests, bodyBytes }),
    onReceipt: (next) => (listener = next),
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}

function assertNever(value: never): never {
  throw new Error(`unexpected receiver message ${JSON.stringify(value)}`);
}
