import { connect } from 'node:net';

/** Resolves once something accepts TCP connections on host:port; rejects when `signal` aborts. */
export async function waitForPort(host: string, port: number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    if (await canConnect(host, port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw signal.reason instanceof Error ? signal.reason : new Error('stopped waiting for the store');
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
