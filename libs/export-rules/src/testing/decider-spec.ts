import { expect } from 'vitest';
import { emptyProfileState, evolveProfile, type ProfileState } from '@spillway/profile-state';
import type { DataflowConfig, IngestEvent } from '@spillway/xdm';
import { indexDataflows } from '../dataflow-index.ts';
import { decideExports } from '../decide-exports.ts';
import type { ExportDecision } from '../export-decision.ts';

export interface DeciderThen {
  /** The decisions, for assertions of one's own. */
  readonly decisions: ExportDecision[];
  /** The profile after the `when` event. */
  readonly profile: ProfileState;
  then(expected: readonly ExportDecision[]): void;
  /** Shorthand: the dataflows exported to, with the triggers that fired. */
  thenExports(expected: Readonly<Record<string, readonly ExportDecision['triggers'][number][]>>): void;
  thenNothing(): void;
}

/**
 * Given/when/then for the export decision:
 * `deciderSpec(dataflows).given(...history).when(event).thenExports({ df1: ['membership'] })`.
 * The history is folded with evolveProfile; only the `when` event's change is decided.
 */
export function deciderSpec(dataflows: readonly DataflowConfig[]) {
  const index = indexDataflows(dataflows);
  return {
    given: (...history: IngestEvent[]) => ({
      when: (event: IngestEvent): DeciderThen => {
        const profileId = event.data.profileId;
        let before = emptyProfileState(profileId);
        for (const past of history) before = evolveProfile(before, past).state;
        const { state: profile, change } = evolveProfile(before, event);
        const decisions = decideExports({ profile, change, dataflows: index });
        return {
          decisions,
          profile,
          then: (expected) => expect(decisions).toEqual(expected),
          thenExports: (expected) =>
            expect(Object.fromEntries(decisions.map((decision) => [decision.dataflowId, decision.triggers]))).toEqual(expected),
          thenNothing: () => expect(decisions).toEqual([]),
        };
      },
    }),
  };
}

/** A dataflow with defaults for the fields a test does not care about. */
export function dataflow(dataflowId: string, mapping: { audiences: string[]; attributes?: string[]; enabled?: boolean; consent?: boolean }): DataflowConfig {
  return {
    dataflowId,
    destinationId: `dest-${dataflowId}`,
    audiences: mapping.audiences.map((audienceId) => ({ audienceId })),
    attributes: mapping.attributes ?? [],
    enabled: mapping.enabled ?? true,
    ...(mapping.consent === undefined ? {} : { consent: mapping.consent }),
  };
}
