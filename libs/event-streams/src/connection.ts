import { EventStoreDBClient } from '@eventstore/db-client';
import type { Logger } from '@spillway/runtime';
import type { Observable } from 'rxjs';
import { appendEvents, appendUnchecked, type AppendOptions, type AppendResult, type UncheckedEvent } from './append.ts';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.ts';
import type { CatalogEvent, EventCatalog, EventToAppend } from './catalog.ts';
import { StoreUnavailableError, StreamNotFoundError, isTransient } from './errors.ts';
import { readHeadPosition } from './head-position.ts';
import type { Position } from './position.ts';
import { useNativeBase64InProtobuf } from './protobuf-base64.ts';
import { useLeanBatchAppend } from './lean-batch-append.ts';
import { widenFlowControlWindow } from './flow-control-window.ts';
import { reuseMeasuredEventBytes } from './protobuf-batch-append.ts';
import { useFastBatchAppendRespDecoding } from './protobuf-batch-append-resp.ts';
import { useFastReadRespDecoding } from './protobuf-read-resp.ts';
import { useLazyEventData } from './lazy-event-data.ts';
import { mapStoreError } from './map-store-error.ts';
import { toObservable } from './observables.ts';
import { readStreamEvents, readStreamPage, type ReadStreamOptions, type StreamPage } from './read.ts';
import type { StoredEvent } from './recorded-event.ts';
import type { SubscriptionHandle } from './resilient-subscription.ts';
import {
  openAllSubscription,
  openStreamSubscription,
  type SubscribeToAllOptions,
  type SubscribeToStreamOptions,
  type SubscriptionMessage,
} from './subscriptions.ts';

/** The services' only door to the store. */
export interface EventStore {
  readonly logger: Logger;
  appendEvents<C extends EventCatalog>(stream: string, catalog: C, events: readonly EventToAppend<C>[], options?: AppendOptions): Promise<AppendResult>;
  /** No validation: for tools and tests that must write what a careless producer could. */
  appendUncheckedEvents(stream: string, events: readonly UncheckedEvent[], options?: AppendOptions): Promise<AppendResult>;
  readStreamEvents<C extends EventCatalog>(stream: string, catalog: C, options?: ReadStreamOptions): Promise<StoredEvent<CatalogEvent<C>>[]>;
  /** readStreamEvents with the revisions the read went over, left-out events included. */
  readStreamPage<C extends EventCatalog>(stream: string, catalog: C, options?: ReadStreamOptions): Promise<StreamPage<CatalogEvent<C>>>;
  subscribeToAll$<C extends EventCatalog>(options: SubscribeToAllOptions<C>): Observable<SubscriptionMessage<CatalogEvent<C>>>;
  subscribeToStream$<C extends EventCatalog>(stream: string, options: SubscribeToStreamOptions<C>): Observable<SubscriptionMessage<CatalogEvent<C>>>;
  /** Pull-based form of subscribeToAll$ (one message at a time, with backpressure). */
  openAllSubscription<C extends EventCatalog>(options: SubscribeToAllOptions<C>): SubscriptionHandle<SubscriptionMessage<CatalogEvent<C>>>;
  openStreamSubscription<C extends EventCatalog>(stream: string, options: SubscribeToStreamOptions<C>): SubscriptionHandle<SubscriptionMessage<CatalogEvent<C>>>;
  /** The position of the last event in $all (undefined when empty): how far the consumers have to go. */
  readHeadPosition(): Promise<Position | undefined>;
  /** Sets `$maxCount` so the store keeps only the last `maxCount` events of the stream. */
  setStreamMaxCount(stream: string, maxCount: number): Promise<void>;
  /** Closes every open subscription, then the connection. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly logger: Logger;
  /** How long to wait for the store to answer before giving up. @defaultValue 30000 */
  readonly connectTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  /**
   * Bytes of reads and subscription pages the store may send ahead of what this connection has
   * consumed (the gRPC flow-control window). For a connection that reads in bulk, such as a
   * backfill's scan; a live consumer reading far ahead only holds more in memory.
   * @defaultValue 65,535 (grpc-js's)
   */
  readonly readAheadBytes?: number;
}

/** Connects and waits until the store answers (retrying with backoff), so a service can say it is connected. */
export async function connectEventStore(connectionString: string, options: ConnectOptions): Promise<EventStore> {
  const logger = options.logger;
  useNativeBase64InProtobuf();
  reuseMeasuredEventBytes();
  useFastReadRespDecoding();
  useLazyEventData();
  useFastBatchAppendRespDecoding();
  useLeanBatchAppend();
  const client = EventStoreDBClient.connectionString(connectionString);
  if (options.readAheadBytes !== undefined) widenFlowControlWindow(client, options.readAheadBytes);
  await waitUntilReachable(client, logger, connectionString, options);
  return createEventStore(client, logger);
}

function createEventStore(client: EventStoreDBClient, logger: Logger): EventStore {
  const open = new Set<SubscriptionHandle<unknown>>();
  const track = <M>(handle: SubscriptionHandle<M>): SubscriptionHandle<M> => {
    open.add(handle);
    return {
      messages: handle.messages,
      close: async () => {
        open.delete(handle);
        await handle.close();
      },
    };
  };
  const store: EventStore = {
    logger,
    appendEvents: (stream, catalog, events, appendOptions) => appendEvents(client, stream, catalog, events, appendOptions),
    appendUncheckedEvents: (stream, events, appendOptions) => appendUnchecked(client, stream, events, appendOptions),
    readStreamEvents: (stream, catalog, readOptions) => readStreamEvents(client, logger, stream, catalog, readOptions),
    readStreamPage: (stream, catalog, readOptions) => readStreamPage(client, logger, stream, catalog, readOptions),
    openAllSubscription: (subscribeOptions) => track(openAllSubscription(client, logger, subscribeOptions)),
    openStreamSubscription: (stream, subscribeOptions) => track(openStreamSubscription(client, logger, stream, subscribeOptions)),
    subscribeToAll$: (subscribeOptions) => toObservable(() => store.openAllSubscription(subscribeOptions)),
    subscribeToStream$: (stream, subscribeOptions) => toObservable(() => store.openStreamSubscription(stream, subscribeOptions)),
    readHeadPosition: () => readHeadPosition(client),
    setStreamMaxCount: async (stream, maxCount) => {
      try {
        await client.setStreamMetadata(stream, { maxCount });
      } catch (error) {
        throw mapStoreError(error, { operation: 'set-stream-metadata', stream });
      }
    },
    close: async () => {
      await Promise.all([...open].map((handle) => handle.close()));
      open.clear();
      await client.dispose();
    },
  };
  return store;
}

async function waitUntilReachable(client: EventStoreDBClient, logger: Logger, connectionString: string, options: ConnectOptions) {
  const deadline = Date.now() + (options.connectTimeoutMs ?? 30_000);
  const target = describeTarget(connectionString);
  for (let attempt = 0; ; attempt++) {
    try {
      for await (const _ of client.readStream('spillway-connection-check', { maxCount: 1 })) break;
      return;
    } catch (error) {
      const mapped = mapStoreError(error, { operation: 'connect' });
      if (mapped instanceof StreamNotFoundError) return;
      if (!isTransient(mapped)) throw mapped;
      const delayMs = backoffDelay(attempt, options.backoff);
      if (Date.now() + delayMs > deadline) throw new StoreUnavailableError({ operation: 'connect' }, error);
      if (attempt === 0) logger.info('waiting for the store', { target, reason: mapped.message });
      await sleep(delayMs);
    }
  }
}

/** Host and port only: a connection string may carry credentials, which never go to a log. */
export function describeTarget(connectionString: string): string {
  const match = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]+)/i.exec(connectionString);
  return match?.[1] ?? '(unparsable connection string)';
}
