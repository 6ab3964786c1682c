import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import { useLazyEventData } from './lazy-event-data.ts';
import { requireAsClient } from './protobuf-fast-deserializer.ts';
import { decodeReadEventResp } from './protobuf-read-resp.ts';
import type { ClientRecordedEvent } from './recorded-event.ts';

const streamsPb = requireAsClient('./streams_pb.js') as typeof StreamsPb;
const sharedPb = requireAsClient('./shared_pb.js') as typeof SharedPb;
const { ReadResp } = streamsPb;
const generated = ReadResp.deserializeBinary.bind(ReadResp);
type Convert = (record: unknown) => ClientRecordedEvent;
// The client's conversion as it is when this file loads (the test patches a copy of the module, never the module).
const clientConvert = (requireAsClient('../dist/utils/convertGrpcEvent.js') as { convertGrpcRecord: Convert }).convertGrpcRecord;

interface Shape {
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata?: Uint8Array;
}

function respBytes(shape: Shape): Uint8Array {
  const event = new ReadResp.ReadEvent.RecordedEvent();
  const id = new sharedPb.UUID();
  id.setString(randomUUID());
  event.setId(id);
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from('profile-p1', 'utf8'));
  event.setStreamIdentifier(identifier);
  event.setStreamRevision('7');
  event.setPreparePosition('123456');
  event.setCommitPosition('123456');
  for (const [key, value] of Object.entries({ type: 'ProfileChanged', 'content-type': shape.contentType, created: '639000000000000000' })) event.getMetadataMap().set(key, value);
  if (shape.customMetadata) event.setCustomMetadata(shape.customMetadata);
  event.setData(shape.data);
  const readEvent = new ReadResp.ReadEvent();
  readEvent.setEvent(event);
  readEvent.setCommitPosition('123456');
  const resp = new ReadResp();
  resp.setEvent(readEvent);
  return resp.serializeBinary();
}

/** The record as the client converts the generated message, and as the lazy conversion converts the hand-decoded one. */
function bothRecords(shape: Shape): { readonly client: ClientRecordedEvent; readonly lazy: ClientRecordedEvent } {
  const bytes = respBytes(shape);
  const module = { convertGrpcRecord: clientConvert };
  useLazyEventData(module);
  const fast = decodeReadEventResp(bytes, generated) as unknown as { getEvent(): { getEvent(): unknown } };
  return { client: clientConvert(generated(bytes).getEvent()!.getEvent()), lazy: module.convertGrpcRecord(fast.getEvent().getEvent()) };
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const profile = { profileId: 'p1', state: { attributes: { name: 'é€😀' } }, list: [1, 2.5, null, true] };

describe('lazy event data', () => {
  it('given a JSON event, when converted, then every field is what the client gives, data included', () => {
    const { client, lazy } = bothRecords({ contentType: 'application/json', data: utf8(JSON.stringify(profile)), customMetadata: utf8('{"correlation":"c-1"}') });
    expect(client['data']).toEqual(profile);
    expect(Object.keys(lazy)).toEqual(Object.keys(client));
    expect({ ...lazy }).toEqual(client);
  });

  it('given a JSON event, when converted, then its payload is parsed only once read, and the same value is kept', () => {
    const { lazy } = bothRecords({ contentType: 'application/json', data: utf8(JSON.stringify(profile)) });
    expect(Object.getOwnPropertyDescriptor(lazy, 'data')?.get).toBeTypeOf('function');
    const first = lazy['data'];
    expect(first).toEqual(profile);
    expect(lazy['data']).toBe(first);
  });

  it('given a payload that is not valid JSON, when read, then it is the text, as the client gives it', () => {
    const { client, lazy } = bothRecords({ contentType: 'application/json', data: utf8('{"profileId": "p1",') });
    expect(client['data']).toBe('{"profileId": "p1",');
    expect({ ...lazy }).toEqual(client);
  });

  it('given an event that is not JSON, when converted, then the client converts it (its bytes as data)', () => {
    const { client, lazy } = bothRecords({ contentType: 'application/octet-stream', data: new Uint8Array([0, 255, 7]) });
    expect(client['isJson']).toBe(false);
    expect(Object.getOwnPropertyDescriptor(lazy, 'data')?.get).toBeUndefined();
    expect(lazy).toEqual(client);
  });

  it('given a message the hand decoder did not read, when converted, then the client converts it', () => {
    const bytes = respBytes({ contentType: 'application/json', data: utf8(JSON.stringify(profile)) });
    const module = { convertGrpcRecord: clientConvert };
    useLazyEventData(module);
    const record = module.convertGrpcRecord(generated(bytes).getEvent()!.getEvent());
    expect(Object.getOwnPropertyDescriptor(record, 'data')?.value).toEqual(profile);
  });

  it('is installed once however often it is asked', () => {
    const module = { convertGrpcRecord: clientConvert };
    useLazyEventData(module);
    const installed = module.convertGrpcRecord;
    useLazyEventData(module);
    expect(module.convertGrpcRecord).toBe(installed);
  });
});
