import { createServer } from 'node:net';

/**
 * A loopback address and port where a connection is refused (ECONNREFUSED), and stays refused.
 * Test servers listen on 127.0.0.1, so a port merely closed there can be taken by another test's
 * server meanwhile (its answer, a 404 say, would then stand in for the refusal). This one is on
 * another loopback address that nothing here listens on: the port is taken from the OS there
 * and released.
 */
export async function refusedAddress(): Promise<{ readonly host: string; readonly port: number }> {
  const host = '127.0.0.3';
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { host, port: address.port };
}

/** `http://` URL of `refusedAddress()`. */
export async function refusedUrl(): Promise<string> {
  const { host, port } = await refusedAddress();
  return `http://${host}:${port}`;
}
