import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineEvents, describeRejection } from './catalog.ts';
import type { EventStore } from './connection.ts';
import type { RejectedEvent } from './recorded-event.ts';

export const rejectionStreamName = (consumer: string) => `spillway-rejections-${consumer}`;

/** What a user finds in `spillway-rejections-<consumer>`: which event, and why it was skipped. */
export const rejectionEvents = defineEvents({
  EventRejected: z.object({
    consumer: z.string(),
    stream: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    revision: z.string(),
    position: z.object({ commit: z.string(), prepare: z.string() }).optional(),
    reason: z.enum(['malformed-json', 'schema-mismatch', 'unknown-type']),
    detail: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export async function recordRejection(store: EventStore, consumer: string, rejected: RejectedEvent): Promise<void> {
  await store.appendEvents(rejectionStreamName(consumer), rejectionEvents, [
    {
      type: 'EventRejected',
      // Same id for the same rejected event, so recording it again after a restart is a no-op.
      id: deterministicUuid(`${consumer}:${rejected.eventId}`),
      data: {
        consumer,
        stream: rejected.streamId,
        eventId: rejected.eventId,
        eventType: rejected.eventType,
        revision: String(rejected.revision),
        ...(rejected.position ? { position: { commit: String(rejected.position.commit), prepare: String(rejected.position.prepare) } } : {}),
        reason: rejected.reason.kind,
        detail: describeRejection(rejected.reason),
        ...(rejected.reason.kind === 'schema-mismatch' ? { issues: [...rejected.reason.issues] } : {}),
      },
    },
  ]);
}

function deterministicUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  // Shaped as a version-5-style UUID (the store only needs a valid, stable UUID).
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
