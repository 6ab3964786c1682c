import {
  audienceStreamName,
  dataflowStreamName,
  destinationStreamName,
  publicEvent,
  type AudienceDefined,
  type AudienceEvent,
  type DataflowConfigured,
  type DataflowEvent,
  type DestinationConfigured,
  type DestinationEvent,
} from '@spillway/xdm';
import { nextAudienceDefinition, type DefinitionChange } from '../audiences/audience-definition.ts';
import type { ConfigIssue } from '../config-file/config-issues.ts';
import type { DesiredConfig } from '../config-file/desired-config.ts';
import { planAlerts, type AlertSubscriptionConfiguredEvent } from './plan-alerts.ts';
import { sameData } from './same-data.ts';

/** The latest valid event of a stream, and the stream's revision (of its newest event, valid or not: what the next append expects). */
export interface Latest<E> {
  readonly event: E;
  readonly revision: bigint;
}

/** What the store has now, for every id the file names or refers to (absent: no valid event). */
export interface CurrentConfig {
  readonly audiences: ReadonlyMap<string, Latest<AudienceEvent>>;
  readonly destinations: ReadonlyMap<string, Latest<DestinationEvent>>;
  readonly dataflows: ReadonlyMap<string, Latest<DataflowEvent>>;
  readonly alerts?: ReadonlyMap<string, Latest<{ readonly type: string; readonly data: unknown }>>;
}

export type ConfigItemKind = 'audience' | 'destination' | 'dataflow' | 'alerts';

export interface PlannedChange {
  readonly kind: ConfigItemKind;
  readonly id: string;
  readonly stream: string;
  readonly change: DefinitionChange;
  readonly event: AudienceDefined | DestinationConfigured | DataflowConfigured | AlertSubscriptionConfiguredEvent;
  /** The revision the stream had when it was read; a write expects it (`any` for a new stream). */
  readonly expectedRevision: bigint | 'any';
}

export interface ApplyPlan {
  /** Audiences, destinations, dataflows, then alerts: what an item refers to is written before it. */
  readonly changes: readonly PlannedChange[];
  /** Reasons not to write anything. */
  readonly problems: readonly ConfigIssue[];
  /** Worth saying, but not wrong. */
  readonly warnings: readonly ConfigIssue[];
}

/** Decides, item by item, what to write so the store matches the file. Pure: `nowMs` is a parameter. */
export function planApply(desired: DesiredConfig, current: CurrentConfig, nowMs: number): ApplyPlan {
  const changes: PlannedChange[] = [];
  for (const audience of desired.audiences) {
    const latest = current.audiences.get(audience.audienceId);
    const next = nextAudienceDefinition(latest?.event.data, audience, nowMs);
    const event = publicEvent('AudienceDefined', next.definition);
    changes.push(planned('audience', audience.audienceId, audienceStreamName(audience.audienceId), next.change, event, latest));
  }
  for (const destination of desired.destinations) {
    const latest = current.destinations.get(destination.destinationId);
    const event = publicEvent('DestinationConfigured', destination);
    const change = changeFrom(latest, 'DestinationConfigured', destination);
    changes.push(planned('destination', destination.destinationId, destinationStreamName(destination.destinationId), change, event, latest));
  }
  for (const dataflow of desired.dataflows) {
    const latest = current.dataflows.get(dataflow.dataflowId);
    const event = publicEvent('DataflowConfigured', dataflow);
    const change = changeFrom(latest, 'DataflowConfigured', dataflow);
    changes.push(planned('dataflow', dataflow.dataflowId, dataflowStreamName(dataflow.dataflowId), change, event, latest));
  }
  const alerts = planAlerts(desired, current);
  changes.push(...alerts.changes);
  const references = checkReferences(desired, current);
  return { changes, problems: [...references.problems, ...alerts.problems], warnings: references.warnings };
}

function changeFrom(latest: Latest<{ type: string; data: unknown }> | undefined, configuredType: string, data: unknown): DefinitionChange {
  if (latest === undefined || latest.event.type !== configuredType) return 'created';
  return sameData(latest.event.data, data) ? 'unchanged' : 'updated';
}

function planned(
  kind: ConfigItemKind,
  id: string,
  stream: string,
  change: DefinitionChange,
  event: PlannedChange['event'],
  latest: Latest<unknown> | undefined,
): PlannedChange {
  return { kind, id, stream, change, event, expectedRevision: latest?.revision ?? 'any' };
}

/** A dataflow must point at a destination that exists; an undefined audience is only worth a warning. */
function checkReferences(desired: DesiredConfig, current: CurrentConfig): Pick<ApplyPlan, 'problems' | 'warnings'> {
  const destinations = new Set(desired.destinations.map((destination) => destination.destinationId));
  const audiences = new Set(desired.audiences.map((audience) => audience.audienceId));
  const problems: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  desired.dataflows.forEach((dataflow, index) => {
    const stored = current.destinations.get(dataflow.destinationId)?.event;
    if (!destinations.has(dataflow.destinationId) && stored?.type !== 'DestinationConfigured') {
      const where = stored?.type === 'DestinationDeleted' ? 'was deleted from the store' : 'is neither in this file nor in the store';
      problems.push({ path: ['dataflows', index, 'destination'], message: `destination '${dataflow.destinationId}' ${where}` });
    }
    dataflow.audiences.forEach((mapping, mappingIndex) => {
      if (audiences.has(mapping.audienceId) || current.audiences.has(mapping.audienceId)) return;
      warnings.push({
        path: ['dataflows', index, 'audiences', mappingIndex],
        message: `audience '${mapping.audienceId}' is not defined yet (add it under audiences:, or run spillway audiences define)`,
      });
    });
  });
  return { problems, warnings };
}
