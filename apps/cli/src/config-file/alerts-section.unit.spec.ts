import { describe, expect, it } from 'vitest';
import { parseConfigText } from './parse-config-text.ts';

const alertsYaml = (item: string) => `alerts:
  - dataflow: shop-flow
${item}`;

describe('the alerts: section of the apply file', () => {
  it('given a subscription with a secret reference and one threshold, when parsed, then it is the subscription event with every default filled in', () => {
    const parsed = parseConfigText(
      alertsYaml(`    webhook: { url: https://ops.example.com/hooks/spillway, bearerToken: "env:ALERT_TOKEN", headers: { X-Team: data } }
    logSink: { path: /var/log/spillway/alerts.jsonl }
    rules:
      failureRate: { threshold: 0.25 }
      backfillStalled: { enabled: false }
`),
      'yaml',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.config.alerts).toEqual([
      {
        dataflowId: 'shop-flow',
        webhook: { url: 'https://ops.example.com/hooks/spillway', bearerToken: 'env:ALERT_TOKEN', headers: { 'X-Team': 'data' }, timeoutMs: 5000 },
        logSink: { path: '/var/log/spillway/alerts.jsonl' },
        rules: {
          failureRate: { enabled: true, threshold: 0.25, windowSeconds: 300, minRequests: 20 },
          deadLettered: { enabled: true, quietSeconds: 900 },
          deliveryDelay: { enabled: true, thresholdSeconds: 60, windowSeconds: 300, minDeliveries: 10 },
          endpointUnreachable: { enabled: true },
          backfillStalled: { enabled: false, stalledSeconds: 300 },
        },
      },
    ]);
  });

  it('given mistakes, when parsed, then each is named by its path and line, and a pasted secret is not echoed', () => {
    const parsed = parseConfigText(
      `${alertsYaml(`    webhook: { url: ftp://ops.example.com, bearerToken: "s3cret-value" }
    rules: { deliveryDelay: { thresholdSeconds: -1 }, loudness: 11 }
`)}  - dataflow: shop-flow
    webhook: { url: https://ops.example.com }
`,
      'yaml',
    );
    if (parsed.ok) throw new Error('expected the file to be refused');
    expect(parsed.issues.map((issue) => `${issue.path}@${issue.line}`)).toEqual([
      'alerts[0].webhook.url@3',
      'alerts[0].webhook.bearerToken@3',
      'alerts[0].rules.deliveryDelay.thresholdSeconds@4',
      'alerts[0].rules.loudness@4',
      'alerts[1].dataflow@5',
    ]);
    expect(JSON.stringify(parsed.issues)).not.toContain('s3cret-value');
    expect(parsed.issues.at(-1)?.message).toBe("'shop-flow' is already used by alerts[0]");
  });
});
