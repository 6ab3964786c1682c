import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestEvents } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from './harness/expectations.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { waitUntil } from './harness/wait.ts';

// A bearer token mounted as a file and rotated in place (as a secret manager does): the running
// agent takes the new value up without a restart or a new configuration.
let stack: Stack;
let secretsDir: string;
const tokenFile = () => join(secretsDir, 'receiver-token');

beforeAll(async () => {
  secretsDir = await mkdtemp(join(tmpdir(), 'spillway-rotation-'));
  await writeFile(tokenFile(), 'token-before\n');
  stack = await startStack({ env: { 'delivery-agent': { SPILLWAY_DELIVERY_SECRET_REFRESH_MS: '100' } } });
  await stack.apply(`
audiences:
  - { id: rotation-list, name: Rotation list, mergePolicy: mp-main }
destinations:
  - { id: rotation-receiver, name: Rotation receiver, endpoint: "${stack.receiver.url}/rotation", auth: { type: bearer, token: "file:${tokenFile()}" } }
dataflows:
  - { id: rotation-flow, destination: rotation-receiver, audiences: [rotation-list], attributes: [] }
`);
});
afterAll(async () => {
  const exits = await stack?.stop();
  expect(exits).toMatchObject({ 'delivery-agent': { code: 0, signal: null } });
  await rm(secretsDir, { recursive: true, force: true });
});

const authorizations = () => stack.receiver.requests.filter((request) => request.path === '/rotation').map((request) => request.headers.authorization);

describe('a rotated file secret', () => {
  it('is sent from the next refresh on, with nothing re-applied and no restart', async () => {
    const at = '2026-11-23T09:00:00Z';
    await ingest(stack.client, ingestEvents.membershipChanged('rotation-1', 'rotation-list', 'realized', at));
    await waitUntil(() => authorizations().length === 1, 'the first export');

    await writeFile(tokenFile(), 'token-after\n');
    // The agent reads its secrets again every 100 ms here (SPILLWAY_DELIVERY_SECRET_REFRESH_MS).
    await new Promise((resolve) => setTimeout(resolve, 500));
    await ingest(stack.client, ingestEvents.membershipChanged('rotation-2', 'rotation-list', 'realized', at));
    await waitUntil(() => authorizations().length === 2, 'the second export');

    expect(authorizations()).toEqual(['Bearer token-before', 'Bearer token-after']);
  }, 60_000);
});
