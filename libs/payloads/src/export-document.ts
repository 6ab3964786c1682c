import type { ProfileState } from '@spillway/profile-state';
import {
  compileSelection,
  normalizeQualificationTime,
  selectPaths,
  type AudienceDefinition,
  type AudienceMapping,
  type DataflowConfig,
  type DestinationConfig,
  type IdentityMap,
  type JsonValue,
  type Membership,
  type MembershipStatus,
  type PathSelection,
} from '@spillway/xdm';

/** One audience in `segmentMembership.ups` of an export (a type, so it is a JSON object). */
export type ExportedMembership = {
  readonly lastQualificationTime: string;
  readonly status: MembershipStatus;
  readonly createdAt?: number;
  readonly updatedAt?: number;
  readonly mappingCreatedAt?: number;
  readonly mappingUpdatedAt?: number;
  readonly name?: string;
};

/** The body POSTed for one profile (section 7). */
export type ExportDocument = { readonly [attribute: string]: JsonValue } & {
  readonly segmentMembership: { readonly ups: Readonly<Record<string, ExportedMembership>> };
  readonly identityMap: IdentityMap;
};

/** Audience definitions by id (a Map works). */
export interface AudienceLookup {
  get(audienceId: string): AudienceDefinition | undefined;
}

export interface ExportDocumentInput {
  /** The profile after the change that triggered the export. */
  readonly profile: ProfileState;
  readonly dataflow: Pick<DataflowConfig, 'attributes' | 'audiences'>;
  readonly destination: Pick<DestinationConfig, 'includeSegmentNames' | 'includeSegmentTimestamps'>;
  readonly audiences: AudienceLookup;
  /** Mapped audiences whose status the triggering change moved (ExportDecision.changedAudienceIds). */
  readonly changedAudienceIds?: readonly string[];
}

// Compiled once per mapping list: the decider rebuilds the list only when the dataflow changes.
const selections = new WeakMap<readonly string[], PathSelection>();

function selectionFor(attributes: readonly string[]): PathSelection {
  let selection = selections.get(attributes);
  if (!selection) selections.set(attributes, (selection = compileSelection(attributes)));
  return selection;
}

/**
 * Section 7: the mapped attributes present on the profile in XDM nesting, every identity, and
 * `segmentMembership.ups` with the mapped audiences the profile has a status in, plus the
 * unmapped audiences it is realized in whose merge policy is that of a mapped audience it is
 * realized in or just changed in. Names and timestamps only on mapped audiences, only when the
 * destination switches them on. Values are shared with the profile, not copied.
 */
export function buildExportDocument(input: ExportDocumentInput): ExportDocument {
  const { profile, dataflow, audiences } = input;
  const { ups } = profile.segmentMembership;
  const changed = new Set(input.changedAudienceIds ?? []);
  const exported: Record<string, ExportedMembership> = {};
  const mapped = new Set<string>();
  const mergePolicies = new Set<string>();

  for (const mapping of dataflow.audiences) {
    mapped.add(mapping.audienceId);
    const membership = membershipIn(ups, mapping.audienceId);
    const audience = audiences.get(mapping.audienceId);
    if (audience && (membership?.status === 'realized' || changed.has(mapping.audienceId))) mergePolicies.add(audience.mergePolicyId);
    if (membership) exported[mapping.audienceId] = mappedMembership(membership, mapping, audience, input.destination);
  }

  if (mergePolicies.size > 0) {
    for (const audienceId of Object.keys(ups)) {
      const membership = ups[audienceId]!;
      if (mapped.has(audienceId) || membership.status !== 'realized') continue;
      const audience = audiences.get(audienceId);
      if (audience && mergePolicies.has(audience.mergePolicyId)) exported[audienceId] = statusOnly(membership);
    }
  }

  return {
    ...selectPaths(profile.attributes, selectionFor(dataflow.attributes)),
    segmentMembership: { ups: exported },
    identityMap: profile.identityMap,
  };
}

function membershipIn(ups: Readonly<Record<string, Membership>>, audienceId: string): Membership | undefined {
  return Object.hasOwn(ups, audienceId) ? ups[audienceId] : undefined;
}

function statusOnly(membership: Membership): ExportedMembership {
  return { lastQualificationTime: normalizeQualificationTime(membership.lastQualificationTime), status: membership.status };
}

function mappedMembership(
  membership: Membership,
  mapping: AudienceMapping,
  audience: AudienceDefinition | undefined,
  destination: ExportDocumentInput['destination'],
): ExportedMembership {
  const entry: { -readonly [K in keyof ExportedMembership]: ExportedMembership[K] } = statusOnly(membership);
  if (destination.includeSegmentTimestamps) {
    if (audience) {
      entry.createdAt = audience.createdAt;
      entry.updatedAt = audience.updatedAt;
    }
    if (mapping.mappingCreatedAt !== undefined) entry.mappingCreatedAt = mapping.mappingCreatedAt;
    if (mapping.mappingUpdatedAt !== undefined) entry.mappingUpdatedAt = mapping.mappingUpdatedAt;
  }
  if (destination.includeSegmentNames && audience) entry.name = audience.name;
  return entry;
}
