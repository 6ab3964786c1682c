import { defineEvents } from '@spillway/event-streams';
import { circuitEventSchemas, circuitStreamName } from '@spillway/pipeline-events';
import { describe, expect, it } from 'vitest';
import { connectForTest, runCli, uniqueId, writeTempFile } from '../testing/cli-process.ts';

async function applyConfig(): Promise<{ destination: string; dataflow: string; audience: string }> {
  const ids = { destination: uniqueId('dest'), dataflow: uniqueId('flow'), audience: uniqueId('aud') };
  const file = await writeTempFile(
    'spillway.yaml',
    `audiences:
  - { id: ${ids.audience}, name: Gold members, mergePolicy: default }
destinations:
  - id: ${ids.destination}
    name: Partner API
    endpoint: https://partner.example.com/profiles
    headers: "x-tenant:acme"
    queryParams: "source=spillway"
    auth: { type: oauth2-client-credentials, tokenUrl: "https://auth.example.com/token", clientId: spillway, clientSecret: "file:/run/secrets/partner" }
dataflows:
  - id: ${ids.dataflow}
    destination: ${ids.destination}
    audiences: [${ids.audience}]
    attributes: [person.name.firstName]
`,
  );
  const run = await runCli(['apply', file]);
  expect(run.exitCode).toBe(0);
  return ids;
}

describe('spillway dataflows and destinations', () => {
  it('given an applied config, when a dataflow is shown, then its config, destination with secret references, audiences and counts appear', async () => {
    const ids = await applyConfig();
    const run = await runCli(['dataflows', 'show', ids.dataflow]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`dataflow ${ids.dataflow}`);
    expect(run.stdout).toContain(`destination:   ${ids.destination} (https://partner.example.com/profiles, auth oauth2-client-credentials`);
    expect(run.stdout).toContain('client secret file:/run/secrets/partner');
    expect(run.stdout).toContain(`${ids.audience}  Gold members (merge policy default, segmentation)`);
    expect(run.stdout).toContain('attributes:    person.name.firstName');
    expect(run.stdout).toContain('counts: received 0, exported 0, delivered 0, failed 0, superseded 0, dead-lettered 0');

    const json = JSON.parse((await runCli(['dataflows', 'show', ids.dataflow, '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      dataflow: { dataflowId: ids.dataflow, destinationId: ids.destination, enabled: true },
      destination: { auth: { clientSecret: 'file:/run/secrets/partner' } },
      audiences: { [ids.audience]: { name: 'Gold members' } },
      counts: { received: 0, exported: 0, delivered: 0, failed: 0, superseded: 0, deadLettered: 0 },
    });
  });

  it('given an applied config, when listed, then the dataflow and destination are among the rows', async () => {
    const ids = await applyConfig();
    const dataflows = await runCli(['dataflows', 'list']);
    expect(dataflows.exitCode).toBe(0);
    expect(dataflows.stdout).toMatch(new RegExp(`${ids.dataflow}\\s+${ids.destination}\\s+yes\\s+1\\s+1`));
    const destinations = JSON.parse((await runCli(['destinations', 'list', '--json'])).stdout) as { destinations: { destinationId: string }[] };
    expect(destinations.destinations.map((d) => d.destinationId)).toContain(ids.destination);
  });

  it('given an applied config, when a destination is shown, then headers and query parameters are in their user-facing forms', async () => {
    const ids = await applyConfig();
    const run = await runCli(['destinations', 'show', ids.destination]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('headers:            x-tenant:acme');
    expect(run.stdout).toContain('query parameters:   source=spillway');
    expect(run.stdout).toContain('client secret file:/run/secrets/partner');
  });

  it('given flow control settings, when the destination is shown, then each appears; when the circuit opens and closes, dataflows show says so', async () => {
    const ids = { destination: uniqueId('dest'), dataflow: uniqueId('flow') };
    const file = await writeTempFile(
      'spillway.yaml',
      `destinations:
  - { id: ${ids.destination}, name: Partner, endpoint: "https://partner.example.com/p", circuit: { openAfterSeconds: 30 }, rateLimit: { requestsPerSecond: 50 }, maxInFlight: 4 }
dataflows:
  - { id: ${ids.dataflow}, destination: ${ids.destination} }
`,
    );
    expect((await runCli(['apply', file])).exitCode).toBe(0);
    const destination = await runCli(['destinations', 'show', ids.destination]);
    expect(destination.stdout).toContain('circuit breaker:    opens after 30 s of failures only, probes every default (10) s while open');
    expect(destination.stdout).toContain('rate limit:         50 requests/s');
    expect(destination.stdout).toContain('max in flight:      4');
    expect((await runCli(['dataflows', 'show', ids.dataflow])).stdout).toContain('circuit:       closed (never opened)');

    const store = await connectForTest();
    const opened = { destinationId: ids.destination, failingSince: '2026-11-22T10:00:00.000Z', failures: 12, lastError: 'HTTP 503', openedAt: '2026-11-22T10:00:30.000Z' };
    try {
      await store.appendEvents(circuitStreamName(ids.destination), defineEvents(circuitEventSchemas), [{ type: 'CircuitOpened', data: opened }]);
      const open = await runCli(['dataflows', 'show', ids.dataflow]);
      expect(open.stdout).toContain('circuit:       OPEN since 2026-11-22T10:00:30.000Z: exports wait, a probe goes now and then (every request failed since 2026-11-22T10:00:00.000Z, 12 failures, last: HTTP 503)');
      const json = JSON.parse((await runCli(['dataflows', 'show', ids.dataflow, '--json'])).stdout) as Record<string, unknown>;
      expect(json['circuit']).toEqual({ state: 'open', ...opened });

      const closed = { destinationId: ids.destination, openedAt: opened.openedAt, closedAt: '2026-11-22T10:05:00.000Z' };
      await store.appendEvents(circuitStreamName(ids.destination), defineEvents(circuitEventSchemas), [{ type: 'CircuitClosed', data: closed }]);
      expect((await runCli(['dataflows', 'show', ids.dataflow])).stdout).toContain('circuit:       closed since 2026-11-22T10:05:00.000Z (was open from 2026-11-22T10:00:30.000Z)');
    } finally {
      await store.close();
    }
  });

  it('given an unknown id, when shown, then one line says so and the exit code is 1', async () => {
    const id = uniqueId('missing');
    const run = await runCli(['dataflows', 'show', id]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`spillway: dataflow '${id}' is not configured (no events in dataflow-${id})\n`);
  });
});
