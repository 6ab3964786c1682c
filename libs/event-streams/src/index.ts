export { connectEventStore, describeTarget, type ConnectOptions, type EventStore } from './connection.ts';
export {
  defineEvents,
  describeRejection,
  type CatalogEvent,
  type EventCatalog,
  type EventSchemas,
  type EventToAppend,
  type RejectionReason,
} from './catalog.ts';
export type { AppendOptions, AppendResult, UncheckedEvent } from './append.ts';
export type { ReadStreamOptions, StreamPage } from './read.ts';
export type { RejectedEvent, StoredEvent } from './recorded-event.ts';
export type {
  AllFilter,
  CaughtUpMessage,
  CheckpointMessage,
  EventMessage,
  RejectedMessage,
  SubscribeToAllOptions,
  SubscribeToStreamOptions,
  SubscriptionMessage,
} from './subscriptions.ts';
export type { SubscriptionHandle } from './resilient-subscription.ts';
export { comparePositions, formatPosition, type Position } from './position.ts';
export type { BackoffOptions } from './backoff.ts';
export { checkpointEvents, checkpointStreamName, createStreamCheckpointStore, type CheckpointStore } from './checkpoint-store.ts';
export { recordRejection, rejectionEvents, rejectionStreamName } from './rejection-stream.ts';
export { logRejection } from './recorded-event.ts';
export { runConsumer, type Consumer, type ConsumerConcurrency, type ConsumerOptions, type ConsumerStats } from './consumer.ts';
export {
  InvalidPartitionError,
  isInPartition,
  parsePartition,
  partitionConsumerName,
  partitionOf,
  wholePartition,
  type Partition,
} from './partition.ts';
export * from './errors.ts';
export { defaultConnectionString, parseStoreEnvironment, storeEndpoint, InvalidEnvironmentError } from './environment.ts';
export { deterministicEventId, orderedEventId, orderedEventIdAt } from './deterministic-id.ts';
export { readCurrent, readLatest, readLatestByStream, eachStreamEvent, eachStreamEventBackwards, type StreamCurrent } from './read-latest.ts';
export { createOutageReporter, retryWhileUnavailable, type OutageReporter } from './store-outage.ts';
