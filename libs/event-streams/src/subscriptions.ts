import {
  END,
  START,
  eventTypeFilter,
  streamNameFilter,
  type AllStreamSubscription,
  type EventStoreDBClient,
  type Filter,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { Logger } from '@spillway/runtime';
import type { BackoffOptions } from './backoff.ts';
import type { CatalogEvent, EventCatalog } from './catalog.ts';
import { formatPosition, type Position } from './position.ts';
import { logRejection, readRecordedEvent, type ClientRecordedEvent, type RejectedEvent, type StoredEvent } from './recorded-event.ts';
import { openResilientSubscription, type ClientSubscription, type SubscriptionHandle } from './resilient-subscription.ts';

export type EventMessage<E> = StoredEvent<E> & { readonly kind: 'event' };
export interface RejectedMessage extends RejectedEvent {
  readonly kind: 'rejected';
}
/** From filtered $all subscriptions: everything up to `position` was scanned (matching events were emitted). */
export interface CheckpointMessage {
  readonly kind: 'checkpoint';
  readonly position: Position;
}
/** The subscription has delivered everything that was in the store when it (re)started. */
export interface CaughtUpMessage {
  readonly kind: 'caught-up';
}
export type SubscriptionMessage<E> = EventMessage<E> | RejectedMessage | CheckpointMessage | CaughtUpMessage;

export type AllFilter =
  | { readonly streamNamePrefixes: readonly string[] }
  | { readonly eventTypePrefixes: readonly string[] }
  | { readonly streamNameRegex: string }
  | { readonly eventTypeRegex: string };

interface CommonSubscribeOptions<C extends EventCatalog> {
  readonly catalog: C;
  readonly backoff?: BackoffOptions;
  /** Extra log fields, e.g. the consumer's name. */
  readonly logFields?: Readonly<Record<string, unknown>>;
}

export interface SubscribeToAllOptions<C extends EventCatalog> extends CommonSubscribeOptions<C> {
  /** Events after this position (exclusive), or from the start / only new ones. @defaultValue 'start' */
  readonly from?: Position | 'start' | 'end';
  readonly filter?: AllFilter;
}

export interface SubscribeToStreamOptions<C extends EventCatalog> extends CommonSubscribeOptions<C> {
  /** Events after this revision (exclusive), or from the start / only new ones. @defaultValue 'start' */
  readonly from?: bigint | 'start' | 'end';
}

const marker = Symbol('spillway-subscription-marker');
type Marker = { readonly [marker]: true; readonly message: CheckpointMessage | CaughtUpMessage };
const isMarker = (item: unknown): item is Marker => typeof item === 'object' && item !== null && marker in item;

// Checkpoints and caught-up arrive as callbacks/events while the client transforms the gRPC
// stream; pushing them into the same readable keeps them in order with the events around them.
function pushMarkers(subscription: ClientSubscription & { on(event: 'caughtUp', listener: () => void): unknown }) {
  subscription.on('caughtUp', () => (subscription as unknown as AllStreamSubscription).push({ [marker]: true, message: { kind: 'caught-up' } }));
  return subscription;
}

export function openAllSubscription<C extends EventCatalog>(
  client: EventStoreDBClient,
  logger: Logger,
  options: SubscribeToAllOptions<C>,
): SubscriptionHandle<SubscriptionMessage<CatalogEvent<C>>> {
  let resumeFrom: Position | 'start' | 'end' = options.from ?? 'start';
  const describe = { subscription: '$all', filter: options.filter, ...options.logFields };
  return openResilientSubscription({
    logger,
    describe,
    backoff: options.backoff,
    resumePoint: () => (typeof resumeFrom === 'string' ? resumeFrom : formatPosition(resumeFrom)),
    open: () =>
      pushMarkers(
        client.subscribeToAll({
          fromPosition: resumeFrom === 'start' ? START : resumeFrom === 'end' ? END : resumeFrom,
          ...(options.filter ? { filter: toClientFilter(options.filter) } : {}),
        }),
      ),
    toMessage: (item) => {
      if (isMarker(item)) {
        if (item.message.kind === 'checkpoint') resumeFrom = item.message.position;
        return item.message;
      }
      const recorded = (item as ResolvedEvent).event as ClientRecordedEvent | undefined;
      if (!recorded) return undefined;
      if (recorded.position) resumeFrom = recorded.position;
      return toMessage(logger, options, recorded);
    },
  });
}

export function openStreamSubscription<C extends EventCatalog>(
  client: EventStoreDBClient,
  logger: Logger,
  stream: string,
  options: SubscribeToStreamOptions<C>,
): SubscriptionHandle<SubscriptionMessage<CatalogEvent<C>>> {
  let resumeFrom: bigint | 'start' | 'end' = options.from ?? 'start';
  return openResilientSubscription({
    logger,
    describe: { stream, ...options.logFields },
    backoff: options.backoff,
    resumePoint: () => String(resumeFrom),
    open: () =>
      pushMarkers(client.subscribeToStream(stream, { fromRevision: resumeFrom === 'start' ? START : resumeFrom === 'end' ? END : resumeFrom })),
    toMessage: (item) => {
      if (isMarker(item)) return item.message;
      const recorded = (item as ResolvedEvent).event as ClientRecordedEvent | undefined;
      if (!recorded) return undefined;
      resumeFrom = recorded.revision;
      return toMessage(logger, options, recorded);
    },
  });
}

function toMessage<C extends EventCatalog>(
  logger: Logger,
  options: CommonSubscribeOptions<C>,
  recorded: ClientRecordedEvent,
): SubscriptionMessage<CatalogEvent<C>> | undefined {
  const outcome = readRecordedEvent(options.catalog, recorded);
  switch (outcome.outcome) {
    case 'accepted':
      return { kind: 'event', ...outcome.stored };
    case 'rejected':
      logRejection(logger, outcome.rejected, options.logFields);
      return { kind: 'rejected', ...outcome.rejected };
    case 'ignored':
      return undefined;
    default:
      return assertNever(outcome);
  }
}

/**
 * A filtered $all subscription gets a checkpoint every `checkpointInterval` x 32 scanned events
 * (the server's search window). The client's default, 1, sends one every 32 events: one gRPC
 * message per 32 events of $all to every filtered consumer, most of which only move a position
 * that the next matching event moves anyway (about 0.2 of the store's 3 receiver-requests of CPU
 * per change in the pipeline bench, docs/performance.md). At 32, a consumer whose filter matches
 * nothing for a while stores a position at most 1,024 events behind, and scans them again after a
 * restart.
 */
const checkpointInterval = 32;

function toClientFilter(filter: AllFilter): Filter {
  const checkpointReached = (subscription: AllStreamSubscription, position: Position) => {
    subscription.push({ [marker]: true, message: { kind: 'checkpoint', position } });
  };
  if ('streamNamePrefixes' in filter) return streamNameFilter({ prefixes: [...filter.streamNamePrefixes], checkpointReached, checkpointInterval });
  if ('eventTypePrefixes' in filter) return eventTypeFilter({ prefixes: [...filter.eventTypePrefixes], checkpointReached, checkpointInterval });
  if ('streamNameRegex' in filter) return streamNameFilter({ regex: filter.streamNameRegex, checkpointReached, checkpointInterval });
  return eventTypeFilter({ regex: filter.eventTypeRegex, checkpointReached, checkpointInterval });
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
