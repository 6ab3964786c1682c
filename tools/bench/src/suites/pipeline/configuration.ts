import { defineEvents, type EventStore } from '@spillway/event-streams';
import {
  audienceStreamName,
  dataflowStreamName,
  destinationStreamName,
  publicEvent,
  publicEventDataSchemas,
  type PublicEvent,
} from '@spillway/xdm';

/** The one dataflow the bench pushes profiles through. */
export const benchConfiguration = {
  audienceId: 'bench-gold',
  destinationId: 'bench-receiver',
  dataflowId: 'bench-flow',
  /** Profiles realized before the dataflow maps it: the backfill suite adds it to the dataflow to start a backfill. */
  historyAudienceId: 'bench-history',
  /** The 3 mapped attributes; every bench write sets all of them. */
  attributes: ['person.name.firstName', 'person.name.lastName', 'personalEmail.address'],
  exportPath: '/exports',
} as const;

const publicEvents = defineEvents(publicEventDataSchemas);

/**
 * Writes the configuration a user would apply with `spillway apply`, as the same public events
 * (validated on append): an audience, a destination pointing at the bench receiver with custom
 * headers, a query parameter, segment names and timestamps on (so documents are of the
 * reference size), and an enabled dataflow mapping the audience and 3 attributes.
 */
export async function writeBenchConfiguration(store: EventStore, receiverUrl: string, now: Date): Promise<void> {
  const { audienceId, historyAudienceId, destinationId, dataflowId, attributes, exportPath } = benchConfiguration;
  const at = now.getTime();
  const write = (stream: string, event: PublicEvent) => store.appendEvents(stream, publicEvents, [event]);
  await write(
    audienceStreamName(audienceId),
    publicEvent('AudienceDefined', { audienceId, name: 'Bench gold members', mergePolicyId: 'bench-mp', origin: 'segmentation', createdAt: at, updatedAt: at }),
  );
  await write(
    audienceStreamName(historyAudienceId),
    publicEvent('AudienceDefined', { audienceId: historyAudienceId, name: 'Bench history', mergePolicyId: 'bench-mp', origin: 'segmentation', createdAt: at, updatedAt: at }),
  );
  await write(
    destinationStreamName(destinationId),
    publicEvent('DestinationConfigured', {
      destinationId,
      name: 'Bench receiver',
      endpoint: `${receiverUrl}${exportPath}`,
      queryParams: { source: 'spillway-bench' },
      headers: { 'X-Bench': 'pipeline' },
      auth: { type: 'none' },
      includeSegmentNames: true,
      includeSegmentTimestamps: true,
    }),
  );
  await write(
    dataflowStreamName(dataflowId),
    publicEvent('DataflowConfigured', { dataflowId, destinationId, audiences: [{ audienceId }], attributes: [...attributes], enabled: true }),
  );
}

/**
 * Maps the history audience too, as a user activating another audience would: the decider starts
 * a backfill of its members (the profiles realized in it before now) beside the live lane.
 */
export async function addHistoryAudience(store: EventStore): Promise<void> {
  const { audienceId, historyAudienceId, destinationId, dataflowId, attributes } = benchConfiguration;
  await store.appendEvents(dataflowStreamName(dataflowId), publicEvents, [
    publicEvent('DataflowConfigured', { dataflowId, destinationId, audiences: [{ audienceId }, { audienceId: historyAudienceId }], attributes: [...attributes], enabled: true }),
  ]);
}
