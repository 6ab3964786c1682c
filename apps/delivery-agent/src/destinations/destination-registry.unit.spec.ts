import { createHttpClient, type HttpClient } from '@spillway/delivery';
import { createLogger } from '@spillway/runtime';
import type { DestinationConfig } from '@spillway/xdm';
import { afterEach, describe, expect, it } from 'vitest';
import { createDestinationRegistry, type DestinationMessage } from './destination-registry.ts';

const lines: string[] = [];
const logger = createLogger({ service: 'test', level: 'debug', write: (line) => lines.push(line) });
const opened: { client: HttpClient; closed: boolean }[] = [];

/** Real clients, with a note of which were closed. */
function trackedClient(): HttpClient {
  const client = createHttpClient();
  const entry = { client, closed: false };
  opened.push(entry);
  return { got: client.got, prepare: client.prepare, close: () => ((entry.closed = true), client.close()) };
}

const registry = () => createDestinationRegistry({ secrets: { env: { TOKEN: 'tok' }, readFile: () => '' }, createHttpClient: trackedClient, maxInFlightPerDestination: 64, logger });

const configured = (config: Partial<DestinationConfig> & { destinationId: string }, streamId = `destination-${config.destinationId}`): DestinationMessage => ({
  streamId,
  eventId: 'e',
  event: {
    type: 'DestinationConfigured',
    data: { name: 'n', endpoint: 'http://127.0.0.1:9/in', auth: { type: 'none' }, includeSegmentNames: false, includeSegmentTimestamps: false, ...config },
  },
});

afterEach(() => {
  for (const entry of opened.splice(0)) entry.client.close();
  lines.length = 0;
});

describe('destination registry', () => {
  it('hands out the resolved target and the destination own client', () => {
    const destinations = registry();
    destinations.apply(configured({ destinationId: 'd1', auth: { type: 'bearer', token: 'env:TOKEN' } }));

    const checkout = destinations.checkout('d1');
    expect(checkout).toMatchObject({ kind: 'ready', target: { endpoint: 'http://127.0.0.1:9/in', auth: { type: 'bearer', token: 'tok' } } });
    expect(destinations.counts()).toEqual({ usable: 1, unusable: 0, deleted: 0 });
  });

  it('closes the old client on a change only once the deliveries using it are done', () => {
    const destinations = registry();
    destinations.apply(configured({ destinationId: 'd1' }));
    const inFlight = destinations.checkout('d1');

    destinations.apply(configured({ destinationId: 'd1', endpoint: 'http://127.0.0.1:9/v2' }));
    expect(opened.map((entry) => entry.closed)).toEqual([false, false]);
    if (inFlight.kind === 'ready') inFlight.release();
    expect(opened.map((entry) => entry.closed)).toEqual([true, false]);
    expect(destinations.checkout('d1')).toMatchObject({ kind: 'ready', target: { endpoint: 'http://127.0.0.1:9/v2' } });
  });

  it('closes the client of a deleted destination and fails later lookups with why', () => {
    const destinations = registry();
    destinations.apply(configured({ destinationId: 'd1' }));
    destinations.apply({ streamId: 'destination-d1', eventId: 'e2', event: { type: 'DestinationDeleted', data: { destinationId: 'd1' } } });

    expect(opened.map((entry) => entry.closed)).toEqual([true]);
    expect(destinations.checkout('d1')).toEqual({ kind: 'unusable', reason: "destination 'd1' was deleted" });
    expect(destinations.checkout('d2')).toEqual({ kind: 'unusable', reason: "destination 'd2' is not configured" });
  });

  it('reports an unusable destination once, when configured, with no client for it', () => {
    const destinations = registry();
    destinations.apply(configured({ destinationId: 'd1', auth: { type: 'bearer', token: 'env:NOPE' } }));
    destinations.checkout('d1');
    destinations.checkout('d1');

    const reports = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry['level'] === 'warn');
    expect(reports).toEqual([expect.objectContaining({ message: 'destination unusable, its exports will fail', destinationId: 'd1', reason: 'auth: secret env:NOPE is not set' })]);
    expect(opened).toHaveLength(0);
    expect(destinations.checkout('d1')).toEqual({ kind: 'unusable', reason: "destination 'd1' is unusable: auth: secret env:NOPE is not set" });
  });

  it('takes up a rotated file secret on refresh, with a new client, and keeps the old one while the file cannot be read', () => {
    const files: Record<string, string> = { '/run/secrets/token': 'first' };
    const readFile = (path: string) => {
      const content = files[path];
      if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return content;
    };
    const destinations = createDestinationRegistry({ secrets: { env: {}, readFile }, createHttpClient: trackedClient, maxInFlightPerDestination: 64, logger });
    destinations.apply(configured({ destinationId: 'd1', auth: { type: 'bearer', token: 'file:/run/secrets/token' } }));
    const bearer = () => {
      const checkout = destinations.checkout('d1');
      if (checkout.kind !== 'ready') return checkout.kind;
      checkout.release();
      return checkout.target.auth.type === 'bearer' ? checkout.target.auth.token : checkout.target.auth.type;
    };

    destinations.refreshSecrets();
    expect([bearer(), opened.length]).toEqual(['first', 1]);
    delete files['/run/secrets/token'];
    destinations.refreshSecrets();
    expect([bearer(), opened.length]).toEqual(['first', 1]);
    files['/run/secrets/token'] = 'second';
    destinations.refreshSecrets();
    expect([bearer(), opened.map((entry) => entry.closed)]).toEqual(['second', [true, false]]);
    const changed = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry['message'] === 'destination secrets changed, taken up');
    expect(changed).toEqual([expect.objectContaining({ destinationId: 'd1' })]);
    expect(lines.join('\n')).not.toContain('second');
  });

  it('makes a destination whose secret could not be read usable once it can, on refresh', () => {
    const env: Record<string, string> = {};
    const destinations = createDestinationRegistry({ secrets: { env, readFile: () => '' }, createHttpClient: trackedClient, maxInFlightPerDestination: 64, logger });
    destinations.apply(configured({ destinationId: 'd1', auth: { type: 'bearer', token: 'env:LATE' } }));
    expect(destinations.checkout('d1').kind).toBe('unusable');
    env['LATE'] = 'tok';
    destinations.refreshSecrets();
    expect(destinations.checkout('d1')).toMatchObject({ kind: 'ready', target: { auth: { type: 'bearer', token: 'tok' } } });
  });

  it('skips an event whose destination id is not its stream id', () => {
    const destinations = registry();
    destinations.apply(configured({ destinationId: 'd1' }, 'destination-other'));

    expect(destinations.counts()).toEqual({ usable: 0, unusable: 0, deleted: 0 });
    expect(lines.join('\n')).toContain('does not match the stream');
  });

  it('ignores an event at or before the place in the log it already applied for that destination (a consumer behind the others)', () => {
    const destinations = registry();
    const at = (commit: number) => ({ commit: BigInt(commit), prepare: BigInt(commit) });
    destinations.apply({ ...configured({ destinationId: 'd1', endpoint: 'http://127.0.0.1:9/v2' }), position: at(20) });
    destinations.apply({ ...configured({ destinationId: 'd1', endpoint: 'http://127.0.0.1:9/v1' }), position: at(10) });
    destinations.apply({ ...configured({ destinationId: 'd1', endpoint: 'http://127.0.0.1:9/v1' }), position: at(20) });
    destinations.apply({ ...configured({ destinationId: 'd2' }), position: at(5) });

    expect(destinations.checkout('d1')).toMatchObject({ kind: 'ready', target: { endpoint: 'http://127.0.0.1:9/v2' } });
    expect(destinations.counts()).toEqual({ usable: 2, unusable: 0, deleted: 0 });
    destinations.apply({ streamId: 'destination-d1', eventId: 'e3', event: { type: 'DestinationDeleted', data: { destinationId: 'd1' } }, position: at(30) });
    expect(destinations.checkout('d1')).toMatchObject({ kind: 'unusable', reason: "destination 'd1' was deleted" });
  });
});
