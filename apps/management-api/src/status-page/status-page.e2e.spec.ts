import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineEvents } from '@spillway/event-streams';
import { runCliOk, startStack, waitForPipeline, waitUntil, type Stack } from '@spillway/e2e';
import { alertEventSchemas, alertStreamName, circuitEventSchemas, circuitStreamName } from '@spillway/pipeline-events';
import { chromiumPath, startService, type ServiceProcess } from '@spillway/testing';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../access/api-keys.ts';

// The whole stack as processes (store, projector, decider, agent, management API), a small real
// run, and Debian's chromium driven by playwright-core looking at the page as a person would.
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// The README's picture is refreshed only on request, so a test run leaves the checkout clean.
const screenshotPath = fileURLToPath(
  new URL(process.env['SPILLWAY_UPDATE_SCREENSHOT'] === '1' ? '../../../../docs/status-page.png' : '../../../../.tmp/status-page.png', import.meta.url),
);
const healthEvents = defineEvents({ ...circuitEventSchemas, ...alertEventSchemas });
const profiles = 12;

let stack: Stack;
let api: ServiceProcess;
let apiUrl: string;
let dir: string;
let keys: { viewer: string; operator: string };
let browser: BrowserContext;
let page: Page;
let downAccepts = false;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`no browser at ${chromiumPath}: install Debian's chromium (apt-get install --no-install-recommends chromium; the test setup does as root)`);
  dir = await mkdtemp(join(tmpdir(), 'spillway-status-page-'));
  // /ok answers after a few ms (so latencies differ), /down answers 503 until the test lets it through.
  stack = await startStack({ respond: (request) => (request.path === '/down' && !downAccepts ? { status: 503 } : { status: 200, delayMs: 5 + Math.floor(Math.random() * 60) }) });
  await stack.apply(`
audiences:
  - { id: loyal, name: Loyal customers, mergePolicy: mp-main }
destinations:
  - { id: receiver-ok, name: Receiver, endpoint: "${stack.receiver.url}/ok" }
  - { id: receiver-down, name: Receiver that is down, endpoint: "${stack.receiver.url}/down", retry: { attempts: 2, baseDelayMs: 20 } }
dataflows:
  - { id: flow-ok, destination: receiver-ok, audiences: [loyal], attributes: [person.name.firstName] }
  - { id: flow-down, destination: receiver-down, audiences: [loyal], attributes: [person.name.firstName] }
`);
  const now = new Date().toISOString();
  // The circuit writer (agent) and the alert manager are not on this branch: their events, as they write them.
  await stack.client.appendEvents(circuitStreamName('receiver-down'), healthEvents, [
    { type: 'CircuitOpened', data: { destinationId: 'receiver-down', failingSince: now, failures: 24, lastError: 'the endpoint answered HTTP 503', openedAt: now } },
  ]);
  const keysFile = join(dir, 'api-keys.json');
  keys = {
    viewer: await createApiKey(keysFile, 'viewer', ['view-destinations'], new Date()),
    operator: await createApiKey(keysFile, 'operator', ['view-destinations', 'manage-destinations'], new Date()),
  };
  api = await startService('management-api', { EVENTSTORE_CONNECTION_STRING: stack.store.connectionString, SPILLWAY_API_PORT: '0', SPILLWAY_API_KEYS_FILE: keysFile });
  apiUrl = String(api.started['url']);

  const sample = JSON.parse((await runCliOk(stack.store.connectionString, ['ingest', 'sample', '--profiles', String(profiles), '--audience', 'loyal', '--json'])).stdout) as {
    profiles: { profileId: string }[];
  };
  await waitForPipeline(stack.client, { profileIds: sample.profiles.map((profile) => profile.profileId), dataflowIds: ['flow-ok', 'flow-down'] }, 90_000);
  await waitUntil(async () => (await deadLetters()).length === profiles, `${profiles} dead letters of flow-down`, 60_000);
  await stack.client.appendEvents(alertStreamName('flow-down'), healthEvents, [
    {
      type: 'AlertRaised',
      data: {
        alertId: '5f0c3b7e-6c1e-4d57-9a43-2f6f0e1f7a10',
        dataflowId: 'flow-down',
        rule: 'dead-lettered',
        summary: `${profiles} exports were dead-lettered`,
        observed: profiles,
        threshold: 0,
        raisedAt: new Date().toISOString(),
      },
    },
  ]);

  browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), { executablePath: chromiumPath, headless: true, args: chromiumArgs, viewport: { width: 1280, height: 900 } });
  page = browser.pages()[0] ?? (await browser.newPage());
}, 240_000);

afterAll(async () => {
  await browser?.close();
  const exit = await api?.stop();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
  expect(exit).toEqual({ code: 0, signal: null });
});

async function deadLetters(): Promise<{ exportId: string; replayed?: { replayId: string } }[]> {
  const response = await fetch(`${apiUrl}/dataflows/flow-down/deadletters`, { headers: { authorization: `Bearer ${keys.operator}` } });
  return ((await response.json()) as { deadLetters: { exportId: string; replayed?: { replayId: string } }[] }).deadLetters;
}

const card = (dataflowId: string): Locator => page.locator(`article[data-dataflow="${dataflowId}"]`);
const statOf = async (dataflowId: string, stat: string) => (await card(dataflowId).locator(`[data-stat="${stat}"] .value`).textContent())?.trim();
const badgeOf = async (dataflowId: string, badge: string) => (await card(dataflowId).locator(`[data-badge="${badge}"]`).textContent())?.trim();

async function signIn(key: string): Promise<void> {
  await page.locator('#key').fill(key);
  await page.getByRole('button', { name: 'Show status' }).click();
  await card('flow-down').waitFor({ timeout: 30_000 });
}

describe('the status page', () => {
  it('asks for a key (again when refused), then shows each dataflow with the figures of the run: state, counts, charts, failures, dead letters, alerts', async () => {
    await page.goto(`${apiUrl}/status`);
    await page.locator('#key-form').waitFor();
    await page.locator('#key').fill('spw_not-a-key-anyone-was-given');
    await page.getByRole('button', { name: 'Show status' }).click();
    await page.locator('#key-error').waitFor({ timeout: 30_000 });
    expect(await page.locator('#key-error').textContent()).toContain('That key was not accepted');
    await signIn(keys.viewer);

    expect(await statOf('flow-ok', 'delivered')).toBe(String(profiles));
    expect(await statOf('flow-ok', 'failed')).toBe('0');
    expect(await statOf('flow-ok', 'p50')).toMatch(/^[\d,.]+ (ms|s)$/);
    expect(await badgeOf('flow-ok', 'enabled')).toBe('Enabled');
    expect(await badgeOf('flow-ok', 'circuit')).toBe('Circuit closed');
    expect(await badgeOf('flow-ok', 'alerts')).toBe('0 open alerts');
    expect(await card('flow-ok').locator('[data-chart="throughput"] svg rect').count()).toBeGreaterThan(0);
    expect(await card('flow-ok').locator('[data-chart="latency"] svg circle').count()).toBeGreaterThan(0);

    // Each export to flow-down: two attempts answered 503 (one retried), then failed and dead-lettered.
    expect(await statOf('flow-down', 'delivered')).toBe('0');
    expect(await statOf('flow-down', 'failed')).toBe(String(profiles));
    expect(await statOf('flow-down', 'retried')).toBe(String(profiles));
    expect(await statOf('flow-down', 'dead-lettered')).toBe(String(profiles));
    expect(await card('flow-down').getByRole('region', { name: 'Failures by status code' }).locator('tbody tr').allTextContents()).toEqual([`HTTP 503${2 * profiles}`]);
    expect(await badgeOf('flow-down', 'circuit')).toMatch(/^Circuit open since \d\d:\d\d$/);
    expect(await card('flow-down').getByRole('region', { name: 'Open alerts' }).textContent()).toContain('dead-lettered');
    expect(await card('flow-down').locator('tr[data-export-id]').count()).toBe(profiles);

    expect(page.url()).toBe(`${apiUrl}/status`);
    expect(await page.evaluate(() => sessionStorage.getItem('spillway.apiKey'))).toBe(keys.viewer);
  }, 120_000);

  it("shows the API's 403 to a key without Manage Destinations; with it, Replay sends the dead letter again, which the receiver gets and the page marks replayed", async () => {
    const rows = card('flow-down').locator('tr[data-export-id]');
    const first = rows.first();
    const exportId = (await first.getAttribute('data-export-id'))!;
    await first.getByRole('button', { name: 'Replay' }).click();
    const refusal = card('flow-down').getByRole('region', { name: 'Dead letters' }).getByRole('alert');
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.textContent()).toContain("the API key 'viewer' lacks the permission Manage Destinations (manage-destinations)");
    expect((await deadLetters()).filter((letter) => letter.replayed)).toEqual([]);

    await page.getByRole('button', { name: 'Forget key' }).click();
    await signIn(keys.operator);
    downAccepts = true;
    const asked = Date.now();
    await card('flow-down').locator(`tr[data-export-id="${exportId}"]`).getByRole('button', { name: 'Replay' }).click();
    await card('flow-down').locator(`tr[data-export-id="${exportId}"] .replayed`).waitFor({ timeout: 30_000 });
    expect(await card('flow-down').locator(`tr[data-export-id="${exportId}"]`).textContent()).toMatch(/Replayed \d\d:\d\d/);
    await waitUntil(
      () => stack.receiver.requests.some((request) => request.path === '/down' && request.headers['x-export-id'] === exportId && request.receivedAt >= asked),
      'the replayed export at the receiver',
      60_000,
    );
    const listed = await deadLetters();
    expect(listed.filter((letter) => letter.replayed).map((letter) => letter.exportId)).toEqual([exportId]);

    // The agent records the replay's delivery; the page shows it after a refresh, with the circuit closed again.
    await stack.client.appendEvents(circuitStreamName('receiver-down'), healthEvents, [
      { type: 'CircuitClosed', data: { destinationId: 'receiver-down', openedAt: new Date(asked).toISOString(), closedAt: new Date().toISOString() } },
    ]);
    await waitUntil(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        await card('flow-down').waitFor();
        return (await statOf('flow-down', 'delivered')) === '1' && (await badgeOf('flow-down', 'circuit')) === 'Circuit closed';
      },
      'the replay delivered and the circuit closed on the page',
      60_000,
    );
    await page.screenshot({ path: screenshotPath, fullPage: true });

    const replayAll = card('flow-down').getByRole('button', { name: `Replay all shown (${profiles - 1})` });
    await replayAll.click();
    await waitUntil(async () => (await card('flow-down').locator('tr[data-export-id] .replayed').count()) === profiles, 'every dead letter marked replayed', 30_000);
    await waitUntil(
      () => new Set(stack.receiver.requests.filter((request) => request.path === '/down' && request.receivedAt >= asked).map((request) => request.headers['x-export-id'])).size === profiles,
      'every replayed export at the receiver',
      60_000,
    );
    expect(JSON.stringify(api.logs())).not.toContain(keys.operator);
    expect(JSON.stringify(api.logs())).not.toContain(keys.viewer);
  }, 180_000);
});
