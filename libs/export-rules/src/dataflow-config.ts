import type { AudienceMapping, DataflowConfig, DataflowEvent } from '@spillway/xdm';

/** A mapping whose timestamps are known (resolved from the event or from when it was recorded). */
export type ResolvedAudienceMapping = Required<AudienceMapping>;
export type ResolvedDataflow = Omit<DataflowConfig, 'audiences'> & { audiences: ResolvedAudienceMapping[] };

export interface DataflowEvolution {
  /** The dataflow after the event; undefined once deleted. */
  readonly dataflow: ResolvedDataflow | undefined;
  /**
   * Audiences whose realized profiles must be exported once now (section 8): all of them when
   * the dataflow appears or goes from disabled to enabled, otherwise the newly mapped ones.
   * Empty while the dataflow is disabled.
   */
  readonly backfillAudienceIds: readonly string[];
  /** Audiences no longer mapped (or all of them on deletion). */
  readonly unmappedAudienceIds: readonly string[];
}

/**
 * Folds a `dataflow-<id>` event. Mapping timestamps the event leaves out default to
 * `recordedAtMs` (when the event was recorded) for an audience mapped for the first time, and
 * to the earlier values for an audience that stays mapped.
 */
export function evolveDataflow(previous: ResolvedDataflow | undefined, event: DataflowEvent, recordedAtMs: number): DataflowEvolution {
  switch (event.type) {
    case 'DataflowDeleted':
      return { dataflow: undefined, backfillAudienceIds: [], unmappedAudienceIds: previous?.audiences.map((a) => a.audienceId) ?? [] };
    case 'DataflowConfigured': {
      const before = new Map(previous?.audiences.map((mapping) => [mapping.audienceId, mapping]));
      const audiences = event.data.audiences.map((mapping): ResolvedAudienceMapping => {
        const earlier = before.get(mapping.audienceId);
        return {
          audienceId: mapping.audienceId,
          mappingCreatedAt: mapping.mappingCreatedAt ?? earlier?.mappingCreatedAt ?? recordedAtMs,
          mappingUpdatedAt: mapping.mappingUpdatedAt ?? earlier?.mappingUpdatedAt ?? recordedAtMs,
        };
      });
      const dataflow: ResolvedDataflow = { ...event.data, audiences };
      const wasExporting = previous?.enabled === true;
      const backfillAudienceIds = !dataflow.enabled
        ? []
        : audiences.filter((mapping) => !wasExporting || !before.has(mapping.audienceId)).map((mapping) => mapping.audienceId);
      const kept = new Set(audiences.map((mapping) => mapping.audienceId));
      const unmappedAudienceIds = [...before.keys()].filter((audienceId) => !kept.has(audienceId));
      return { dataflow, backfillAudienceIds, unmappedAudienceIds };
    }
    default: {
      const unknown: never = event;
      throw new Error(`unknown dataflow event ${JSON.stringify(unknown)}`);
    }
  }
}
