import { startHttpReceiver } from '@spillway/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEgressAddressesBindable, rotateEgressAddresses, validateEgressAddresses } from './egress-addresses.ts';
import { createHttpClient, type HttpClient } from './http-client.ts';

// Linux routes all of 127.0.0.0/8 to the loopback interface, so 127.0.0.2 and 127.0.0.3 can be
// bound without any setup, and a receiver on 127.0.0.1 sees them as the source address.
let client: HttpClient | undefined;
afterEach(() => client?.close());

describe('egress addresses', () => {
  it('bind new connections to the addresses in turn: the receiver sees them as the source', async () => {
    await using receiver = await startHttpReceiver({ respond: () => ({ status: 200, delayMs: 100 }) });
    client = createHttpClient({ localBinding: rotateEgressAddresses(validateEgressAddresses(['127.0.0.2', '127.0.0.3'])) });
    // Four requests at once need four connections.
    await Promise.all(Array.from({ length: 4 }, () => client!.got.post(`${receiver.url}/in`, { body: '{}' })));
    const sources = receiver.requests.map((request) => request.remoteAddress).sort();
    expect(sources).toEqual(['127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3']);
  });

  it('keep a kept-alive connection on its address', async () => {
    await using receiver = await startHttpReceiver();
    client = createHttpClient({ localBinding: rotateEgressAddresses(validateEgressAddresses(['127.0.0.2', '127.0.0.3'])) });
    for (let index = 0; index < 3; index++) await client.got.post(`${receiver.url}/in`, { body: '{}' });
    expect(receiver.requests.map((request) => request.remoteAddress)).toEqual(['127.0.0.2', '127.0.0.2', '127.0.0.2']);
    expect(new Set(receiver.requests.map((request) => request.remotePort)).size).toBe(1);
  });

  it('resolve a host name in the addresses family (localhost may resolve to ::1 first)', async () => {
    await using receiver = await startHttpReceiver();
    client = createHttpClient({ localBinding: rotateEgressAddresses(validateEgressAddresses(['127.0.0.3'])) });
    expect((await client.got.post(`http://localhost:${receiver.port}/in`, { body: '{}' })).statusCode).toBe(200);
    expect(receiver.requests[0]?.remoteAddress).toBe('127.0.0.3');
  });

  it('refuse what is not an address, a mix of families, and an address this host cannot bind', async () => {
    expect(() => validateEgressAddresses(['127.0.0.2', 'example.com'])).toThrow("egress address 'example.com' is not an IPv4 or IPv6 address");
    expect(() => validateEgressAddresses(['127.0.0.2', '::1'])).toThrow('mixes IPv4 and IPv6');
    await expect(checkEgressAddressesBindable(validateEgressAddresses(['127.0.0.2', '127.0.0.3']))).resolves.toBeUndefined();
    // TEST-NET-3: documentation only, never assigned to a host.
    await expect(checkEgressAddressesBindable(validateEgressAddresses(['203.0.113.7']))).rejects.toThrow("egress address '203.0.113.7' cannot be bound on this host (EADDRNOTAVAIL)");
  });

  it('are not used when none are configured', () => {
    expect(rotateEgressAddresses([])).toBeUndefined();
  });
});
