import {
  encodeBatchAppendOptions,
  encodeBatchAppendRequest,
  encodeProposedMessage,
  encodeUuid,
  type OptionsFields,
  type ProposedMessageFields,
  type UuidFields,
} from './protobuf-batch-append-encoder.ts';

/** An event as the client's `jsonEvent` / `binaryEvent` make it. */
export interface ClientEventData {
  readonly id: string;
  readonly type: string;
  readonly contentType: 'application/json' | 'application/octet-stream';
  readonly data: unknown;
  readonly metadata?: unknown;
}

export type ClientExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface BatchAppendRequestPlan {
  readonly correlationId: string;
  readonly streamName: string;
  readonly expectedRevision: ClientExpectedRevision;
  readonly deadline: Date;
  readonly events: readonly ClientEventData[];
  /** The client's `batchAppendSize`: a request that would reach it goes out in parts. */
  readonly maxBatchSize: number;
}

/**
 * The `BatchAppendReq` messages the client's batchAppend sends for one append, serialized: the
 * same fields it sets (a text correlation id, the options with stream name, expected revision
 * and deadline, each event's text id, `type` and `content-type` metadata, custom metadata and
 * data), split where it splits, so a server sees the same bytes. JSON goes straight to UTF-8
 * bytes instead of through base64 and back. Undefined when an encoder does not copy a value
 * exactly (text that is not well-formed UTF-16): the caller then uses the client's own.
 */
export function batchAppendRequests(plan: BatchAppendRequestPlan): Uint8Array[] | undefined {
  const correlationId = encodeUuid(uuidFields(plan.correlationId));
  const options = encodeBatchAppendOptions(optionsFields(plan));
  if (correlationId === undefined || options === undefined) return undefined;
  const requests: Uint8Array[] = [];
  let proposed: Uint8Array[] = [];
  let withOptions = true;
  let batchSize = 0;
  for (const event of plan.events) {
    const message = encodeProposedMessage(proposedFields(event));
    if (message === undefined) return undefined;
    if (batchSize + message.length >= plan.maxBatchSize) {
      requests.push(encodeBatchAppendRequest(correlationId, withOptions ? options : undefined, proposed, false));
      withOptions = false;
      proposed = [];
      batchSize = 0;
    }
    batchSize += message.length;
    proposed.push(message);
  }
  requests.push(encodeBatchAppendRequest(correlationId, withOptions ? options : undefined, proposed, true));
  return requests;
}

const noBytes = new Uint8Array(0);

function uuidFields(text: string): UuidFields {
  return { hasStructured: () => false, hasString: () => true, getString: () => text };
}

function optionsFields({ streamName, expectedRevision, deadline }: BatchAppendRequestPlan): OptionsFields {
  const name = Buffer.from(streamName, 'utf8');
  const ms = deadline.getTime();
  // As google-protobuf's Timestamp.fromDate: whole seconds, and the milliseconds as nanos.
  const seconds = Math.floor(ms / 1000);
  const nanos = deadline.getMilliseconds() * 1_000_000;
  const empty = {};
  return {
    getStreamIdentifier: () => ({ getStreamName_asU8: () => name }),
    hasStreamPosition: () => typeof expectedRevision === 'bigint',
    getStreamPosition: () => (typeof expectedRevision === 'bigint' ? expectedRevision.toString(10) : undefined),
    getNoStream: () => (expectedRevision === 'no_stream' ? empty : undefined),
    getAny: () => (expectedRevision === 'any' ? empty : undefined),
    getStreamExists: () => (expectedRevision === 'stream_exists' ? empty : undefined),
    getDeadline: () => ({ getSeconds: () => seconds, getNanos: () => nanos }),
  };
}

function proposedFields(event: ClientEventData): ProposedMessageFields {
  // Sorted by key, as the generated map serializer writes them.
  const entries: [unknown, unknown][] = [
    ['content-type', event.contentType],
    ['type', event.type],
  ];
  return {
    getId: () => uuidFields(event.id),
    getMetadataMap: () => ({ getLength: () => entries.length, getEntryList: () => entries }),
    getCustomMetadata_asU8: () => customMetadataBytes(event.metadata),
    getData_asU8: () => dataBytes(event),
  };
}

function dataBytes(event: ClientEventData): Uint8Array {
  if (event.contentType === 'application/json') return Buffer.from(JSON.stringify(event.data), 'utf8');
  return event.data instanceof Uint8Array ? event.data : noBytes;
}

/** As the client: a plain Uint8Array goes as it is, anything else as its JSON. */
function customMetadataBytes(metadata: unknown): Uint8Array {
  if (!metadata) return noBytes;
  if ((metadata as { constructor?: unknown }).constructor === Uint8Array) return metadata as Uint8Array;
  return Buffer.from(JSON.stringify(metadata), 'utf8');
}
