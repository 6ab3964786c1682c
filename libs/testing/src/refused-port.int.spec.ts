import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { refusedAddress } from './refused-port.ts';

const connectError = (host: string, port: number) =>
  new Promise<string>((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });

describe('refusedAddress', () => {
  it('gives a loopback port that refuses connections, even while a test server holds the same port on 127.0.0.1', async () => {
    const { host, port } = await refusedAddress();
    expect(await connectError(host, port)).toBe('ECONNREFUSED');
    const taker = createServer((socket) => socket.end());
    await new Promise<void>((resolve, reject) => taker.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    try {
      expect(await connectError('127.0.0.1', port)).toBe('connected');
      expect(await connectError(host, port)).toBe('ECONNREFUSED');
    } finally {
      await new Promise<void>((resolve) => taker.close(() => resolve()));
    }
  });
});
