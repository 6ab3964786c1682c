import { alertingStreamName } from '@spillway/alert-rules';
import type { EventStore } from '@spillway/event-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertingEvents } from '../config-streams/alerting-catalog.ts';
import { connectForTest, runCli, uniqueId, writeTempFile } from '../testing/cli-process.ts';

let store: EventStore;
beforeAll(async () => {
  store = await connectForTest();
});
afterAll(async () => {
  await store.close();
});

const configYaml = (destination: string, dataflow: string, threshold: number) => `destinations:
  - id: ${destination}
    name: Receiver
    endpoint: http://127.0.0.1:8787/exports
dataflows:
  - id: ${dataflow}
    destination: ${destination}
alerts:
  - dataflow: ${dataflow}
    webhook: { url: "https://ops.example.com/hooks/spillway", bearerToken: "env:ALERT_TOKEN" }
    rules:
      failureRate: { threshold: ${threshold} }
`;

describe('spillway apply with an alerts: section', () => {
  it('given a file with alerts, when applied twice and then changed, then alerting-<dataflow> holds one event per change', async () => {
    const [destination, dataflow] = [uniqueId('dest'), uniqueId('flow')];
    const file = await writeTempFile('spillway.yaml', configYaml(destination, dataflow, 0.2));
    const first = await runCli(['apply', file]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain(`alerts ${dataflow}: created`);
    expect((await runCli(['apply', file])).stdout).toContain(`alerts ${dataflow}: unchanged`);
    const changed = await writeTempFile('spillway.yaml', configYaml(destination, dataflow, 0.3));
    expect((await runCli(['apply', changed])).stdout).toContain(`alerts ${dataflow}: updated`);

    const events = await store.readStreamEvents(alertingStreamName(dataflow), alertingEvents);
    expect(events.map((stored) => stored.event.type)).toEqual(['AlertSubscriptionConfigured', 'AlertSubscriptionConfigured']);
    expect(events[1]?.event.data).toMatchObject({
      dataflowId: dataflow,
      webhook: { url: 'https://ops.example.com/hooks/spillway', bearerToken: 'env:ALERT_TOKEN' },
      rules: { failureRate: { threshold: 0.3, windowSeconds: 300, minRequests: 20 }, deadLettered: { quietSeconds: 900 } },
    });
  });

  it('given alerts for a dataflow that exists nowhere, when applied, then nothing is written and the item is named', async () => {
    const dataflow = uniqueId('flow');
    const file = await writeTempFile('alerts.yaml', `alerts:\n  - dataflow: ${dataflow}\n    webhook: { url: "https://ops.example.com/hooks" }\n`);
    const run = await runCli(['apply', file]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain(`alerts[0].dataflow: dataflow '${dataflow}' is neither in this file nor in the store`);
    expect(await store.readStreamEvents(alertingStreamName(dataflow), alertingEvents)).toEqual([]);
  });
});
