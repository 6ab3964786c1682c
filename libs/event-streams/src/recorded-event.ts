import type { Logger } from '@spillway/runtime';
import { decodeEvent, describeRejection, type CatalogEvent, type EventCatalog, type RejectionReason } from './catalog.ts';
import { formatPosition, type Position } from './position.ts';

/** A validated event with where it lives in the store. */
export interface StoredEvent<E> {
  readonly event: E;
  readonly streamId: string;
  readonly eventId: string;
  readonly revision: bigint;
  readonly position: Position | undefined;
  readonly recordedAt: Date;
  readonly metadata: unknown;
}

/** An event that was skipped because it could not be read as its type. */
export interface RejectedEvent {
  readonly streamId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly revision: bigint;
  readonly position: Position | undefined;
  readonly reason: RejectionReason;
}

/** The fields of the client's recorded event that we use. */
export interface ClientRecordedEvent {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly revision: bigint;
  readonly isJson: boolean;
  readonly data: unknown;
  readonly metadata?: unknown;
  readonly created: Date;
  readonly position?: Position | undefined;
}

export type ReadOutcome<C extends EventCatalog> =
  | { readonly outcome: 'accepted'; readonly stored: StoredEvent<CatalogEvent<C>> }
  | { readonly outcome: 'rejected'; readonly rejected: RejectedEvent }
  | { readonly outcome: 'ignored' };

export function readRecordedEvent<C extends EventCatalog>(catalog: C, recorded: ClientRecordedEvent): ReadOutcome<C> {
  const decoded = decodeEvent(catalog, recorded);
  switch (decoded.outcome) {
    case 'ignored':
      return decoded;
    case 'rejected':
      return {
        outcome: 'rejected',
        rejected: {
          streamId: recorded.streamId,
          eventId: recorded.id,
          eventType: recorded.type,
          revision: recorded.revision,
          position: recorded.position,
          reason: decoded.reason,
        },
      };
    case 'accepted':
      return {
        outcome: 'accepted',
        stored: {
          event: decoded.event,
          streamId: recorded.streamId,
          eventId: recorded.id,
          revision: recorded.revision,
          position: recorded.position,
          recordedAt: recorded.created,
          metadata: recorded.metadata,
        },
      };
    default:
      return assertNever(decoded);
  }
}

/** Malformed events are never fatal: they are logged with everything needed to find them, and skipped. */
export function logRejection(logger: Logger, rejected: RejectedEvent, fields: Readonly<Record<string, unknown>> = {}): void {
  logger.warn('event rejected', {
    ...fields,
    stream: rejected.streamId,
    eventId: rejected.eventId,
    eventType: rejected.eventType,
    revision: rejected.revision,
    position: formatPosition(rejected.position),
    reason: rejected.reason.kind,
    detail: describeRejection(rejected.reason),
    ...(rejected.reason.kind === 'schema-mismatch' ? { issues: rejected.reason.issues } : {}),
  });
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
