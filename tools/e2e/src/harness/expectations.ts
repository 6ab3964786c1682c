import { deterministicEventId, defineEvents, type EventStore } from '@spillway/event-streams';
import type { ReceivedRequest } from '@spillway/testing';
import { audienceStreamName, ingestStreamName, publicEventDataSchemas, type IngestEvent } from '@spillway/xdm';

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const ingestCatalog = defineEvents({
  ProfileAttributesWritten: publicEventDataSchemas.ProfileAttributesWritten,
  IdentitiesLinked: publicEventDataSchemas.IdentitiesLinked,
  IdentitiesUnlinked: publicEventDataSchemas.IdentitiesUnlinked,
  SegmentMembershipChanged: publicEventDataSchemas.SegmentMembershipChanged,
});
const audienceCatalog = defineEvents({ AudienceDefined: publicEventDataSchemas.AudienceDefined }, { unknownTypes: 'ignore' });

/** Appends ingest events as a producer would, each to its profile's stream, in order. */
export async function ingest(client: EventStore, ...events: readonly IngestEvent[]): Promise<void> {
  for (const event of events) await client.appendEvents(ingestStreamName(event.data.profileId), ingestCatalog, [event]);
}

/**
 * As a producer would: the event, under a fixed id made of `idParts`, is sent again until the store
 * acknowledges it (a store outage or crash only delays it; the id makes a repeat a no-op).
 */
export async function ingestUntilAcknowledged(client: EventStore, event: IngestEvent, idParts: readonly (string | number)[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.appendEvents(ingestStreamName(event.data.profileId), ingestCatalog, [{ ...event, id: deterministicEventId(...idParts) }]);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The createdAt / updatedAt the CLI gave an audience when it defined it (epoch ms). */
export async function audienceTimestamps(client: EventStore, audienceId: string): Promise<{ createdAt: number; updatedAt: number }> {
  const [latest] = await client.readStreamEvents(audienceStreamName(audienceId), audienceCatalog, { direction: 'backwards', maxCount: 1 });
  if (!latest) throw new Error(`audience ${audienceId} is not defined`);
  return { createdAt: latest.event.data.createdAt, updatedAt: latest.event.data.updatedAt };
}

/** The headers a receiver gets, without the ones the HTTP client adds on its own (host, length, connection, encoding). */
export function exportHeaders(request: ReceivedRequest): Record<string, string> {
  const transport = new Set(['host', 'content-length', 'connection', 'accept-encoding']);
  return Object.fromEntries(Object.entries(request.headers).flatMap(([name, value]) => (transport.has(name) ? [] : [[name, String(value)]])));
}

export const exportIdOf = (dataflowId: string, profileId: string, sequence: number) => deterministicEventId('export', dataflowId, profileId, sequence);

export const sequenceOf = (request: ReceivedRequest) => Number(request.headers['x-export-sequence']);
export const exportIdHeader = (request: ReceivedRequest) => String(request.headers['x-export-id']);
/** The profile an export is about, from its document's identity map (the `crmid` identity the tests give each profile). */
export const profileOf = (request: ReceivedRequest) => {
  const body = request.body as { identityMap?: { crmid?: { id: string }[] } } | undefined;
  return body?.identityMap?.crmid?.[0]?.id ?? '';
};
