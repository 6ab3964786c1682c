import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import { requireAsClient } from './protobuf-fast-deserializer.ts';
import { useLeanBatchAppend } from './lean-batch-append.ts';
import { batchAppendRequests, type BatchAppendRequestPlan, type ClientEventData } from './protobuf-batch-append-request.ts';

const streamsPb = requireAsClient('./streams_pb.js') as typeof StreamsPb;
const sharedPb = requireAsClient('./shared_pb.js') as typeof SharedPb;
const { Timestamp } = requireAsClient('google-protobuf/google/protobuf/timestamp_pb') as {
  Timestamp: { fromDate(date: Date): Parameters<StreamsPb.BatchAppendReq.Options['setDeadline']>[0] };
};
const { BatchAppendReq } = streamsPb;

/** The requests exactly as the client's batchAppend and eventBatcher build them, with the generated classes. */
function clientRequests(plan: BatchAppendRequestPlan): StreamsPb.BatchAppendReq[] {
  const correlationId = new sharedPb.UUID();
  correlationId.setString(plan.correlationId);
  const options = new BatchAppendReq.Options();
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from(plan.streamName, 'utf8'));
  options.setStreamIdentifier(identifier);
  options.setDeadline(Timestamp.fromDate(plan.deadline));
  const revision = plan.expectedRevision;
  if (revision === 'any') options.setAny(new sharedPb.Empty());
  else if (revision === 'no_stream') options.setNoStream(new sharedPb.Empty());
  else if (revision === 'stream_exists') options.setStreamExists(new sharedPb.Empty());
  else options.setStreamPosition(revision.toString(10));
  const start = (withOptions: boolean) => {
    const request = new BatchAppendReq();
    if (withOptions) request.setOptions(options);
    request.setCorrelationId(correlationId);
    request.setIsFinal(false);
    return request;
  };
  const requests = [start(true)];
  let batchSize = 0;
  for (const event of plan.events) {
    const message = new BatchAppendReq.ProposedMessage();
    const id = new sharedPb.UUID();
    id.setString(event.id);
    message.setId(id);
    message.getMetadataMap().set('type', event.type);
    message.getMetadataMap().set('content-type', event.contentType);
    if (event.contentType === 'application/json') message.setData(Buffer.from(JSON.stringify(event.data), 'utf8').toString('base64'));
    else message.setData(event.data as Uint8Array);
    if (event.metadata) {
      if ((event.metadata as object).constructor === Uint8Array) message.setCustomMetadata(event.metadata as Uint8Array);
      else message.setCustomMetadata(Buffer.from(JSON.stringify(event.metadata), 'utf8').toString('base64'));
    }
    const messageSize = message.serializeBinary().length;
    if (batchSize + messageSize >= plan.maxBatchSize) {
      requests.push(start(false));
      batchSize = 0;
    }
    batchSize += messageSize;
    requests.at(-1)!.addProposedMessages(message);
  }
  requests.at(-1)!.setIsFinal(true);
  return requests;
}

const decoded = (bytes: readonly Uint8Array[]) => bytes.map((request) => BatchAppendReq.deserializeBinary(request).toObject());

const events: ClientEventData[] = [
  { id: randomUUID(), type: 'ProfileChanged', contentType: 'application/json', data: { profileId: 'p-1', text: 'é€😀', nested: { list: [1, 2.5, null, true] } } },
  { id: randomUUID(), type: 'ExportRequested', contentType: 'application/json', data: { n: 1 }, metadata: { correlation: 'c-1' } },
  { id: randomUUID(), type: 'Raw', contentType: 'application/octet-stream', data: new Uint8Array([0, 255, 7]), metadata: new Uint8Array([1, 2, 3]) },
  { id: randomUUID(), type: 'Empty', contentType: 'application/octet-stream', data: new Uint8Array(0) },
  { id: randomUUID(), type: 'Ünïcode-type', contentType: 'application/json', data: 'just a string', metadata: {} },
];

function plan(overrides: Partial<BatchAppendRequestPlan>): BatchAppendRequestPlan {
  return {
    correlationId: randomUUID(),
    streamName: 'profile-é-1',
    expectedRevision: 'any',
    deadline: new Date(1_763_800_000_123),
    events,
    maxBatchSize: 3 * 1024 * 1024,
    ...overrides,
  };
}

describe('batchAppendRequests: the client\'s BatchAppendReq messages, written straight from the events', () => {
  it.each([
    ['any', 'any'],
    ['no stream', 'no_stream'],
    ['stream exists', 'stream_exists'],
    ['revision 0', 0n],
    ['the largest revision', 2n ** 64n - 1n],
  ] as const)('given expected revision %s, when encoded, then a server decodes what the client would send', (_name, expectedRevision) => {
    const given = plan({ expectedRevision });
    const requests = batchAppendRequests(given);
    expect(requests).toHaveLength(1);
    expect(decoded(requests!)).toEqual(clientRequests(given).map((request) => request.toObject()));
  });

  it('given events beyond the batch size, when encoded, then they go in the same parts as the client\'s, options in the first and is_final in the last', () => {
    const given = plan({ maxBatchSize: 120 });
    const requests = batchAppendRequests(given)!;
    const expected = clientRequests(given);
    expect(expected.length).toBeGreaterThan(2);
    expect(decoded(requests)).toEqual(expected.map((request) => request.toObject()));
    expect(decoded(requests).map((request) => [request.options !== undefined, request.isFinal])).toEqual(
      expected.map((_request, index) => [index === 0, index === expected.length - 1]),
    );
  });

  it('given no events, when encoded, then one final request with the options', () => {
    const given = plan({ events: [] });
    expect(decoded(batchAppendRequests(given)!)).toEqual(clientRequests(given).map((request) => request.toObject()));
  });

  it('given text the encoders cannot copy exactly (a lone surrogate), when encoded, then nothing: the client\'s own path takes it', () => {
    expect(batchAppendRequests(plan({ events: [{ ...events[0]!, type: 'bad-\ud800' }] }))).toBeUndefined();
    const loneSurrogateStream = plan({ streamName: 'profile-\udfff' });
    expect(decoded(batchAppendRequests(loneSurrogateStream)!)).toEqual(clientRequests(loneSurrogateStream).map((request) => request.toObject()));
    expect(batchAppendRequests(plan({ correlationId: '\ud800' }))).toBeUndefined();
  });
});

describe('useLeanBatchAppend', () => {
  it('replaces the batchAppend the client\'s appendToStream calls, once however often it is installed', () => {
    const clientModule = requireAsClient<{ batchAppend: unknown }>('../dist/streams/appendToStream/batchAppend.js');
    const clientOwn = clientModule.batchAppend;
    useLeanBatchAppend();
    const lean = clientModule.batchAppend;
    useLeanBatchAppend();
    expect(lean).not.toBe(clientOwn);
    expect(clientModule.batchAppend).toBe(lean);
  });
});
