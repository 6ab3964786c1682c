/** What made a profile export to a dataflow (section 6 rules 1-3, and section 8 backfill). */
export type TriggerKind = 'membership' | 'identity' | 'attribute' | 'backfill';

/** "Export this profile to this dataflow", with why, for the document and for metrics. */
export interface ExportDecision {
  readonly dataflowId: string;
  readonly destinationId: string;
  readonly profileId: string;
  /** Every rule that fired, in the order membership, identity, attribute (or backfill alone). */
  readonly triggers: readonly TriggerKind[];
  /**
   * Mapped audiences whose status just moved (or that are being backfilled): the document's
   * merge-policy rule counts them alongside the mapped audiences the profile is realized in.
   */
  readonly changedAudienceIds: readonly string[];
}
