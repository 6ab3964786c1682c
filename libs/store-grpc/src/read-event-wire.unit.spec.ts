import type { RecordedEvent } from '@spillway/store-engine';
import { describe, expect, it } from 'vitest';
import { streamsPb } from './protocol.ts';
import { readEventResponse } from './events.ts';
import { encodeReadEvent } from './read-event-wire.ts';

const event = (overrides: Partial<RecordedEvent> = {}): RecordedEvent => ({
  streamId: 'profile-é-123',
  revision: 42n,
  position: 1_234_567_890_123n,
  id: 'f3a1c9e2-7b4d-4e8a-9c1f-0a2b3c4d5e6f',
  type: 'ProfileUpdated',
  contentType: 'application/json',
  data: new TextEncoder().encode('{"a":1}'),
  metadata: new TextEncoder().encode('{"traceId":"t"}'),
  created: 17_000_000_000_000_000n,
  ...overrides,
});

const decoded = (bytes: Uint8Array) => streamsPb.ReadResp.deserializeBinary(bytes).toObject();

describe('encodeReadEvent', () => {
  it.each([
    ['a JSON event, string ids', event(), 'string'],
    ['a JSON event, structured ids', event(), 'structured'],
    ['revision 0 and empty data/metadata', event({ revision: 0n, data: new Uint8Array(), metadata: new Uint8Array() }), 'string'],
    ['a binary event with a large body', event({ contentType: 'application/octet-stream', data: new Uint8Array(70_000).fill(7) }), 'structured'],
    ['an id with the high bits set', event({ id: 'ffffffff-ffff-4fff-bfff-ffffffffffff', position: 1n }), 'structured'],
    ['multi-byte characters in the stream name and type', event({ streamId: 'profile-ü-日本-😀', type: 'Änderung✓' }), 'string'],
    ['a stream name and type longer than 127 bytes', event({ streamId: `profile-${'é'.repeat(100)}`, type: 'T'.repeat(300) }), 'string'],
    ['revision and position past 2^53', event({ revision: 2n ** 60n, position: 2n ** 63n + 5n }), 'string'],
  ] as const)('decodes, with the generated classes, to the same message for %s', (_name, recorded, form) => {
    expect(decoded(encodeReadEvent(recorded, form))).toEqual(decoded(readEventResponse(recorded, form).serializeBinary()));
  });
});
