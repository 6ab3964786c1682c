import { emptyProfileState, evolveProfile, type ProfileState } from '@spillway/profile-state';
import { profileStreamName, type ProfileChanged } from '@spillway/pipeline-events';
import {
  publicEvent,
  type AudienceDefinition,
  type DataflowConfig,
  type DestinationConfig,
  type IngestEvent,
} from '@spillway/xdm';
import type { ConfigEvent } from '../configuration/evolve-config.ts';

/** Builders for configuration events and real profile changes (folded with evolveProfile), shared by unit and int specs. */

export const destination = (destinationId: string, overrides: Partial<DestinationConfig> = {}): DestinationConfig => ({
  destinationId,
  name: `Destination ${destinationId}`,
  endpoint: 'http://127.0.0.1:9/exports',
  auth: { type: 'none' },
  includeSegmentNames: false,
  includeSegmentTimestamps: false,
  ...overrides,
});

export const dataflow = (dataflowId: string, destinationId: string, mapping: Partial<Omit<DataflowConfig, 'dataflowId' | 'destinationId'>> = {}): DataflowConfig => ({
  dataflowId,
  destinationId,
  audiences: [],
  attributes: [],
  enabled: true,
  ...mapping,
});

export const audience = (audienceId: string, mergePolicyId = 'mp-default', name = `Audience ${audienceId}`): AudienceDefinition => ({
  audienceId,
  name,
  mergePolicyId,
  origin: 'segmentation',
  createdAt: 1648553325000,
  updatedAt: 1648553330000,
});

export const configured = {
  destination: (config: DestinationConfig): ConfigEvent => publicEvent('DestinationConfigured', config),
  destinationDeleted: (destinationId: string): ConfigEvent => publicEvent('DestinationDeleted', { destinationId }),
  dataflow: (config: DataflowConfig): ConfigEvent => publicEvent('DataflowConfigured', config),
  dataflowDeleted: (dataflowId: string): ConfigEvent => publicEvent('DataflowDeleted', { dataflowId }),
  audience: (definition: AudienceDefinition): ConfigEvent => publicEvent('AudienceDefined', definition),
};

export { configStreamOf } from '../configuration/evolve-config.ts';

/**
 * Folds a profile's ingest history as the projector does and returns one `ProfileChanged` per
 * event, ready to append to `profile-<profileId>` (revision i = the i-th change).
 */
export function profileChanges(profileId: string, events: readonly IngestEvent[], ingestedAt = '2024-05-01T10:00:00.000Z'): ProfileChanged[] {
  let state: ProfileState = emptyProfileState(profileId);
  return events.map((event, index) => {
    const evolution = evolveProfile(state, event);
    state = evolution.state;
    return {
      profileId,
      state: evolution.state,
      change: evolution.change,
      source: { streamId: `ingest-${profileId}`, revision: index, eventId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`, eventType: event.type },
      ingestedAt,
    };
  });
}

export { profileStreamName };
