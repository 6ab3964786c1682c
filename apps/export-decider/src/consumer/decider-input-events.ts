import { defineEvents } from '@spillway/event-streams';
import { internalEventSchemas, internalStreamPrefixes } from '@spillway/pipeline-events';
import { configurationEvents, configurationStreamPrefixes } from '../configuration/configuration-events.ts';

/** Profile changes from the projector, plus the public configuration and audience events (streams.md). */
export const deciderInputEvents = defineEvents({
  ProfileChanged: internalEventSchemas.ProfileChanged,
  ...configurationEvents.schemas,
});

/** One subscription for both, so configuration and profile changes arrive in log order. */
export const deciderInputFilter = {
  streamNamePrefixes: [internalStreamPrefixes.profile, ...configurationStreamPrefixes],
} as const;
