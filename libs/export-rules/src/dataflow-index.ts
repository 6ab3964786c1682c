import { PathTrie, type DataflowConfig } from '@spillway/xdm';
import type { ProfileState } from '@spillway/profile-state';

export interface IndexedDataflow {
  readonly dataflow: DataflowConfig;
  /** Position in the list the index was built from; decisions come out in this order. */
  readonly order: number;
}

/**
 * The enabled dataflows, looked up by mapped audience and by mapped attribute path, so a
 * decision costs the size of the change and of the profile's memberships, not the number of
 * dataflows. Build it once per configuration change.
 */
export interface DataflowIndex {
  readonly dataflows: readonly IndexedDataflow[];
  readonly byAudience: ReadonlyMap<string, readonly IndexedDataflow[]>;
  readonly byAttribute: PathTrie<IndexedDataflow>;
}

/** Disabled dataflows are left out: they never export. */
export function indexDataflows(dataflows: Iterable<DataflowConfig>): DataflowIndex {
  const indexed: IndexedDataflow[] = [];
  const byAudience = new Map<string, IndexedDataflow[]>();
  const byAttribute = new PathTrie<IndexedDataflow>();
  for (const dataflow of dataflows) {
    if (!dataflow.enabled) continue;
    const entry: IndexedDataflow = { dataflow, order: indexed.length };
    indexed.push(entry);
    for (const { audienceId } of dataflow.audiences) {
      const list = byAudience.get(audienceId);
      if (list) list.push(entry);
      else byAudience.set(audienceId, [entry]);
    }
    for (const path of dataflow.attributes) byAttribute.add(path, entry);
  }
  return { dataflows: indexed, byAudience, byAttribute };
}

/** The indexed dataflows with at least one mapped audience the profile is realized in. */
export function dataflowsRealizedIn(profile: ProfileState, index: DataflowIndex): Set<IndexedDataflow> {
  const found = new Set<IndexedDataflow>();
  const { ups } = profile.segmentMembership;
  for (const audienceId of Object.keys(ups)) {
    if (ups[audienceId]!.status !== 'realized') continue;
    for (const entry of index.byAudience.get(audienceId) ?? []) found.add(entry);
  }
  return found;
}
