import { evolveDataflow, indexDataflows } from '@spillway/export-rules';
import {
  audienceStreamName,
  dataflowStreamName,
  destinationStreamName,
  type AudienceEvent,
  type DataflowEvent,
  type DestinationEvent,
} from '@spillway/xdm';
import { findUndefinedAudiences, type DeciderConfig } from './decider-config.ts';

/** The public configuration events the decider folds (streams.md). */
export type ConfigEvent = DestinationEvent | DataflowEvent | AudienceEvent;

export const configEventTypes: ReadonlySet<string> = new Set<ConfigEvent['type']>([
  'DestinationConfigured',
  'DestinationDeleted',
  'DataflowConfigured',
  'DataflowDeleted',
  'AudienceDefined',
]);

export function isConfigEvent(event: { readonly type: string }): event is ConfigEvent {
  return configEventTypes.has(event.type);
}

/** Where the event was read: its stream, and when the store recorded it (default mapping timestamps). */
export interface ConfigEventContext {
  readonly streamId: string;
  readonly recordedAtMs: number;
}

/** Section 8: a dataflow's audiences whose realized profiles must be exported once now. */
export interface BackfillRequest {
  readonly dataflowId: string;
  readonly audienceIds: readonly string[];
}

export type ConfigEvolution =
  | { readonly applied: true; readonly config: DeciderConfig; readonly backfill: BackfillRequest | undefined }
  /** The event was not applied (the configuration is unchanged), for this reason. */
  | { readonly applied: false; readonly config: DeciderConfig; readonly reason: string };

/**
 * Folds one configuration event. Destinations and audiences: the latest event wins; dataflows go
 * through export-rules' `evolveDataflow` (mapping timestamps default to when the event was
 * recorded). An event whose id does not match its stream's (`destination-a` carrying
 * `destinationId: "b"`) is refused: applying it would let one stream rewrite another's config.
 */
export function evolveConfig(config: DeciderConfig, event: ConfigEvent, context: ConfigEventContext): ConfigEvolution {
  const expectedStream = configStreamOf(event);
  if (context.streamId !== expectedStream) {
    return { applied: false, config, reason: `${event.type} belongs in stream '${expectedStream}', not '${context.streamId}'` };
  }
  const version = config.version + 1;
  switch (event.type) {
    case 'DestinationConfigured': {
      const destinations = new Map(config.destinations).set(event.data.destinationId, event.data);
      return { applied: true, config: { ...config, version, destinations }, backfill: undefined };
    }
    case 'DestinationDeleted': {
      const destinations = new Map(config.destinations);
      destinations.delete(event.data.destinationId);
      return { applied: true, config: { ...config, version, destinations }, backfill: undefined };
    }
    case 'AudienceDefined': {
      const audiences = new Map(config.audiences).set(event.data.audienceId, event.data);
      const undefinedAudiences = findUndefinedAudiences(config.dataflows, audiences);
      return { applied: true, config: { ...config, version, audiences, undefinedAudiences }, backfill: undefined };
    }
    case 'DataflowConfigured':
    case 'DataflowDeleted': {
      const dataflowId = event.data.dataflowId;
      const evolution = evolveDataflow(config.dataflows.get(dataflowId), event, context.recordedAtMs);
      const dataflows = new Map(config.dataflows);
      if (evolution.dataflow) dataflows.set(dataflowId, evolution.dataflow);
      else dataflows.delete(dataflowId);
      const backfill = evolution.backfillAudienceIds.length > 0 ? { dataflowId, audienceIds: evolution.backfillAudienceIds } : undefined;
      return {
        applied: true,
        config: {
          ...config,
          version,
          dataflows,
          index: indexDataflows(dataflows.values()),
          undefinedAudiences: findUndefinedAudiences(dataflows, config.audiences),
        },
        backfill,
      };
    }
    default: {
      const unknown: never = event;
      throw new Error(`unknown configuration event ${JSON.stringify(unknown)}`);
    }
  }
}

/** The stream a configuration event belongs in. */
export function configStreamOf(event: ConfigEvent): string {
  switch (event.type) {
    case 'DestinationConfigured':
    case 'DestinationDeleted':
      return destinationStreamName(event.data.destinationId);
    case 'DataflowConfigured':
    case 'DataflowDeleted':
      return dataflowStreamName(event.data.dataflowId);
    case 'AudienceDefined':
      return audienceStreamName(event.data.audienceId);
    default: {
      const unknown: never = event;
      throw new Error(`unknown configuration event ${JSON.stringify(unknown)}`);
    }
  }
}
