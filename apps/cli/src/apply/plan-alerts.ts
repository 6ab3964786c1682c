import { alertingStreamName, type AlertSubscription } from '@spillway/alert-rules';
import type { ConfigIssue } from '../config-file/config-issues.ts';
import type { DesiredConfig } from '../config-file/desired-config.ts';
import type { CurrentConfig, PlannedChange } from './plan-apply.ts';
import { sameData } from './same-data.ts';

export interface AlertSubscriptionConfiguredEvent {
  readonly type: 'AlertSubscriptionConfigured';
  readonly data: AlertSubscription;
}

/** The `alerts:` items: one subscription per dataflow, which must be in the file or configured in the store. */
export function planAlerts(desired: DesiredConfig, current: CurrentConfig): { readonly changes: PlannedChange[]; readonly problems: ConfigIssue[] } {
  const dataflowsInFile = new Set(desired.dataflows.map((dataflow) => dataflow.dataflowId));
  const changes: PlannedChange[] = [];
  const problems: ConfigIssue[] = [];
  (desired.alerts ?? []).forEach((subscription, index) => {
    const { dataflowId } = subscription;
    const stored = current.dataflows.get(dataflowId)?.event;
    if (!dataflowsInFile.has(dataflowId) && stored?.type !== 'DataflowConfigured') {
      const where = stored?.type === 'DataflowDeleted' ? 'was deleted from the store' : 'is neither in this file nor in the store';
      problems.push({ path: ['alerts', index, 'dataflow'], message: `dataflow '${dataflowId}' ${where}` });
    }
    const latest = current.alerts?.get(dataflowId);
    const change = latest?.event.type !== 'AlertSubscriptionConfigured' ? 'created' : sameData(latest.event.data, subscription) ? 'unchanged' : 'updated';
    changes.push({
      kind: 'alerts',
      id: dataflowId,
      stream: alertingStreamName(dataflowId),
      change,
      event: { type: 'AlertSubscriptionConfigured', data: subscription },
      expectedRevision: latest?.revision ?? 'any',
    });
  });
  return { changes, problems };
}
