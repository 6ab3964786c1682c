import type { AlertSubscription } from '@spillway/alert-rules';
import type { AudienceOrigin, DataflowConfig, DestinationConfig } from '@spillway/xdm';
import type { AudienceItem, DataflowItem, DestinationItem, Section } from './config-file-schema.ts';

/** An audience as the file defines it; its timestamps are decided when it is applied. */
export interface DesiredAudience {
  readonly audienceId: string;
  readonly name: string;
  readonly mergePolicyId: string;
  readonly origin: AudienceOrigin;
}

/** What a config file asks for, as the data of the public configuration events. */
export interface DesiredConfig {
  readonly audiences: readonly DesiredAudience[];
  readonly destinations: readonly DestinationConfig[];
  readonly dataflows: readonly DataflowConfig[];
  /** The `alerts:` section (docs/alerts.md); absent when the file has none. */
  readonly alerts?: readonly AlertSubscription[];
}

export function toAudience(item: AudienceItem): DesiredAudience {
  return { audienceId: item.id, name: item.name, mergePolicyId: item.mergePolicy, origin: item.origin };
}

export function toDestination(item: DestinationItem): DestinationConfig {
  return {
    destinationId: item.id,
    name: item.name,
    ...(item.description === undefined ? {} : { description: item.description }),
    endpoint: item.endpoint,
    ...(item.queryParams === undefined ? {} : { queryParams: item.queryParams }),
    ...(item.headers === undefined ? {} : { headers: item.headers }),
    auth: item.auth,
    ...(item.mtls === undefined ? {} : { mtls: { enabled: item.mtls } }),
    includeSegmentNames: item.includeSegmentNames,
    includeSegmentTimestamps: item.includeSegmentTimestamps,
    ...(item.timeoutMs === undefined ? {} : { timeoutMs: item.timeoutMs }),
    ...(item.retry === undefined ? {} : { retry: item.retry }),
    ...(item.circuit === undefined ? {} : { circuit: item.circuit }),
    ...(item.rateLimit === undefined ? {} : { rateLimit: item.rateLimit }),
    ...(item.maxInFlight === undefined ? {} : { maxInFlight: item.maxInFlight }),
  };
}

export function toDataflow(item: DataflowItem): DataflowConfig {
  return {
    dataflowId: item.id,
    destinationId: item.destination,
    audiences: item.audiences.map((mapping) => ({
      audienceId: mapping.id,
      ...(mapping.mappingCreatedAt === undefined ? {} : { mappingCreatedAt: mapping.mappingCreatedAt }),
      ...(mapping.mappingUpdatedAt === undefined ? {} : { mappingUpdatedAt: mapping.mappingUpdatedAt }),
    })),
    attributes: item.attributes,
    enabled: item.enabled,
    ...(item.consent === undefined ? {} : { consent: item.consent }),
  };
}

/** Event field names that the file spells differently, by section (`audiences[0].audienceId` -> `audiences[0].id`). */
const fileFieldNames: Readonly<Record<Section, Readonly<Record<string, string>>>> = {
  destinations: { destinationId: 'id' },
  dataflows: { dataflowId: 'id', destinationId: 'destination', audienceId: 'id' },
  audiences: { audienceId: 'id', mergePolicyId: 'mergePolicy' },
  alerts: { dataflowId: 'dataflow' },
};

/** Where a field of an event built from `section[index]` came from in the file. */
export function fileFieldPath(section: Section, index: number, eventPath: readonly PropertyKey[]): PropertyKey[] {
  const names = fileFieldNames[section];
  const renamed = eventPath.map((segment) => (typeof segment === 'string' && Object.hasOwn(names, segment) ? names[segment]! : segment));
  return [section, index, ...renamed];
}
