import { indexDataflows, type DataflowIndex, type ResolvedDataflow } from '@spillway/export-rules';
import type { AudienceDefinition, DestinationConfig } from '@spillway/xdm';

/**
 * What the decider knows of the configuration at one point of the log. Snapshots are never
 * mutated: a configuration event makes a new one that shares everything it did not touch, so a
 * decision holding a snapshot always sees one consistent configuration.
 */
export interface DeciderConfig {
  /** Grows by one with every configuration event applied; problems are reported once per version. */
  readonly version: number;
  readonly destinations: ReadonlyMap<string, DestinationConfig>;
  /** Dataflows with their mapping timestamps resolved, in the order they were first configured. */
  readonly dataflows: ReadonlyMap<string, ResolvedDataflow>;
  /** `AudienceDefined` data by audience id (the latest definition). */
  readonly audiences: ReadonlyMap<string, AudienceDefinition>;
  /** The enabled dataflows indexed for decisions; rebuilt only when a dataflow changes. */
  readonly index: DataflowIndex;
  /** Dataflow id -> its mapped audiences that have no `AudienceDefined` yet (only non-empty lists). */
  readonly undefinedAudiences: ReadonlyMap<string, readonly string[]>;
}

export function emptyDeciderConfig(): DeciderConfig {
  return {
    version: 0,
    destinations: new Map(),
    dataflows: new Map(),
    audiences: new Map(),
    index: indexDataflows([]),
    undefinedAudiences: new Map(),
  };
}

/** Recomputed when dataflows or audiences change (configuration events are rare; decisions are not). */
export function findUndefinedAudiences(
  dataflows: ReadonlyMap<string, ResolvedDataflow>,
  audiences: ReadonlyMap<string, AudienceDefinition>,
): ReadonlyMap<string, readonly string[]> {
  const found = new Map<string, readonly string[]>();
  for (const [dataflowId, dataflow] of dataflows) {
    const missing = dataflow.audiences.filter((mapping) => !audiences.has(mapping.audienceId)).map((mapping) => mapping.audienceId);
    if (missing.length > 0) found.set(dataflowId, missing);
  }
  return found;
}
