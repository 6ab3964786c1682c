import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import { clientReadRespClass, decodeReadEventResp, useFastReadRespDecoding } from './protobuf-read-resp.ts';
import { requireAsClient, type DeserializeGenerated } from './protobuf-fast-deserializer.ts';

const streamsPb = requireAsClient('./streams_pb.js') as typeof StreamsPb;
const sharedPb = requireAsClient('./shared_pb.js') as typeof SharedPb;
const { convertGrpcEvent } = requireAsClient('../dist/utils/index.js') as { convertGrpcEvent: (event: unknown) => unknown };
const { ReadResp } = streamsPb;
// The generated decoder, kept before any patch: the reference.
const generated: DeserializeGenerated = ReadResp.deserializeBinary.bind(ReadResp);

interface EventShape {
  readonly id?: string | 'structured';
  readonly stream?: string | 'empty-identifier';
  readonly revision?: string;
  readonly prepare?: string;
  readonly commit?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly customMetadata?: Uint8Array;
  readonly data?: Uint8Array;
  readonly position?: 'commit' | 'none' | 'absent';
  readonly link?: boolean;
}

function recorded(shape: EventShape): StreamsPb.ReadResp.ReadEvent.RecordedEvent {
  const event = new ReadResp.ReadEvent.RecordedEvent();
  if (shape.id !== undefined) {
    const id = new sharedPb.UUID();
    if (shape.id === 'structured') {
      const parts = new sharedPb.UUID.Structured();
      parts.setMostSignificantBits('-1');
      parts.setLeastSignificantBits('42');
      id.setStructured(parts);
    } else id.setString(shape.id);
    event.setId(id);
  }
  if (shape.stream !== undefined) {
    const identifier = new sharedPb.StreamIdentifier();
    if (shape.stream !== 'empty-identifier') identifier.setStreamName(Buffer.from(shape.stream, 'utf8'));
    event.setStreamIdentifier(identifier);
  }
  if (shape.revision !== undefined) event.setStreamRevision(shape.revision);
  if (shape.prepare !== undefined) event.setPreparePosition(shape.prepare);
  if (shape.commit !== undefined) event.setCommitPosition(shape.commit);
  for (const [key, value] of Object.entries(shape.metadata ?? {})) event.getMetadataMap().set(key, value);
  if (shape.customMetadata !== undefined) event.setCustomMetadata(shape.customMetadata);
  if (shape.data !== undefined) event.setData(shape.data);
  return event;
}

function eventResp(shape: EventShape): Uint8Array {
  const readEvent = new ReadResp.ReadEvent();
  readEvent.setEvent(recorded(shape));
  if (shape.link) readEvent.setLink(recorded(shape));
  if (shape.position === 'commit') readEvent.setCommitPosition(shape.commit ?? '0');
  if (shape.position === 'none') readEvent.setNoPosition(new sharedPb.Empty());
  const resp = new ReadResp();
  resp.setEvent(readEvent);
  return resp.serializeBinary();
}

const created = '639000000000000000';
const json = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));
const typical: EventShape = {
  id: randomUUID(),
  stream: 'profile-p1',
  revision: '7',
  prepare: '123456',
  commit: '123456',
  metadata: { type: 'ProfileChanged', 'content-type': 'application/json', created },
  data: json({ profileId: 'p1', state: { attributes: { name: 'é€😀' } } }),
  position: 'commit',
};

const shapes: readonly EventShape[] = [
  typical,
  { ...typical, position: 'none' },
  { ...typical, position: 'absent' },
  { ...typical, revision: '0', prepare: '0', commit: '0' },
  { ...typical, revision: '4294967295', prepare: '4294967296', commit: '562949953421311' },
  { ...typical, revision: '562949953421312', prepare: '9007199254740993', commit: '18446744073709551615' },
  { ...typical, metadata: { type: 'Bytes', 'content-type': 'application/octet-stream', created }, data: new Uint8Array(randomBytes(300)) },
  { ...typical, customMetadata: json({ correlation: 'x' }) },
  { ...typical, customMetadata: new Uint8Array([0xff, 0x00]) },
  { ...typical, data: json('x'.repeat(70_000)) },
  { ...typical, data: undefined },
  { ...typical, metadata: {} },
  { ...typical, metadata: { type: '', 'content-type': 'application/json' } },
  { ...typical, stream: 'profile-é-😀' },
  { ...typical, stream: 'empty-identifier' },
  { ...typical, stream: undefined },
  { ...typical, id: undefined },
  { ...typical, id: '' },
  {},
];

/** Every getter the client calls on an event answer, on the fast and on the generated objects. */
function observed(resp: StreamsPb.ReadResp): unknown {
  const readEvent = resp.getEvent()!;
  const event = readEvent.getEvent()!;
  const map = event.getMetadataMap();
  return {
    resp: [resp.hasEvent(), resp.hasConfirmation(), resp.hasCheckpoint(), resp.hasStreamNotFound(), resp.hasCaughtUp(), resp.hasFellBehind(), resp.getContentCase()],
    readEvent: [readEvent.hasEvent(), readEvent.hasLink(), readEvent.getLink(), readEvent.hasCommitPosition(), readEvent.getCommitPosition(), readEvent.hasNoPosition(), readEvent.getPositionCase()],
    event: [
      event.hasId(),
      event.getId()?.hasStructured(),
      event.getId()?.getString(),
      event.hasStreamIdentifier(),
      event.getStreamIdentifier() && Buffer.from(event.getStreamIdentifier()!.getStreamName()),
      event.getStreamRevision(),
      event.getPreparePosition(),
      event.getCommitPosition(),
      ['type', 'content-type', 'created', 'other', ''].map((key) => map.get(key)),
      Buffer.from(event.getCustomMetadata()),
      event.getCustomMetadata_asU8(),
      Buffer.from(event.getData()),
      event.getData_asU8(),
    ],
    converted: outcomeOf(() => convertGrpcEvent(readEvent)),
  };
}

/** The value, or what was thrown (the client throws a string for an event without id or stream). */
function outcomeOf(run: () => unknown): unknown {
  try {
    return { value: run() };
  } catch (thrown) {
    return { thrown };
  }
}

describe('ReadResp events decoded by hand', () => {
  it.each(shapes.map((shape, index) => [index, shape] as const))('shape %i: the client sees what the generated decoder gives', (_index, shape) => {
    const bytes = eventResp(shape);
    const fast = decodeReadEventResp(bytes, generated);
    expect(fast).toBeDefined();
    expect(observed(fast as unknown as StreamsPb.ReadResp)).toStrictEqual(observed(generated(bytes) as StreamsPb.ReadResp));
    expect(fast!.toObject()).toEqual(generated(bytes).toObject());
    expect(fast!.serializeBinary()).toEqual(generated(bytes).serializeBinary());
  });

  it('leaves every other answer, and every event it does not read whole, to the generated decoder', () => {
    const others = [
      (resp: StreamsPb.ReadResp) => resp.setConfirmation(Object.assign(new ReadResp.SubscriptionConfirmation(), {}).setSubscriptionId('s')),
      (resp: StreamsPb.ReadResp) => resp.setCaughtUp(new ReadResp.CaughtUp()),
      (resp: StreamsPb.ReadResp) => resp.setFellBehind(new ReadResp.FellBehind()),
      (resp: StreamsPb.ReadResp) => resp.setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from('s')))),
      (resp: StreamsPb.ReadResp) => resp.setFirstStreamPosition('3'),
      (resp: StreamsPb.ReadResp) => resp.setLastAllStreamPosition(new sharedPb.AllStreamPosition().setCommitPosition('1').setPreparePosition('1')),
    ];
    for (const set of others) {
      const resp = new ReadResp();
      set(resp);
      expect(decodeReadEventResp(resp.serializeBinary(), generated)).toBeUndefined();
    }
    for (const shape of [{ ...typical, link: true }, { ...typical, id: 'structured' }, { ...typical, metadata: { type: 'Événement' } }]) {
      expect(decodeReadEventResp(eventResp(shape), generated)).toBeUndefined();
    }
    const withUnknownField = new Uint8Array([...eventResp(typical), 0x50, 0x01]);
    expect(decodeReadEventResp(withUnknownField, generated)).toBeUndefined();
    expect(decodeReadEventResp(new Uint8Array(), generated)).toBeUndefined();
  });

  it('reads no broken message as an event: a change to any byte either is left to the generated decoder or gives what it gives', () => {
    const bytes = eventResp({ ...typical, data: json({ a: 1 }), customMetadata: json({ b: 2 }) });
    let decodedByHand = 0;
    for (let at = 0; at < bytes.length; at++) {
      for (const value of [0x00, 0x01, 0x08, 0x0a, 0x12, 0x7f, 0x80, 0xff]) {
        const broken = Uint8Array.from(bytes);
        broken[at] = value;
        for (const candidate of [broken, broken.subarray(0, at)]) {
          const fast = decodeReadEventResp(candidate, generated);
          if (fast === undefined) continue;
          decodedByHand++;
          expect(observed(fast as unknown as StreamsPb.ReadResp)).toStrictEqual(observed(generated(candidate) as StreamsPb.ReadResp));
        }
      }
    }
    expect(decodedByHand).toBeGreaterThan(100);
  });

  it('decodes a checkpoint to what the generated decoder gives, and reads no broken one', () => {
    const checkpointObserved = (resp: StreamsPb.ReadResp) => {
      const checkpoint = resp.getCheckpoint();
      return {
        resp: [resp.hasEvent(), resp.getEvent(), resp.hasConfirmation(), resp.hasCheckpoint(), resp.hasStreamNotFound(), resp.hasCaughtUp(), resp.hasFellBehind(), resp.getContentCase()],
        checkpoint: checkpoint && [checkpoint.getCommitPosition(), checkpoint.getPreparePosition()],
      };
    };
    let decodedByHand = 0;
    const positions = [undefined, '0', '5', '4294967296', '9007199254740993', '18446744073709551615'];
    for (const commit of positions) {
      for (const prepare of positions) {
        const checkpoint = new ReadResp.Checkpoint();
        if (commit !== undefined) checkpoint.setCommitPosition(commit);
        if (prepare !== undefined) checkpoint.setPreparePosition(prepare);
        const bytes = new ReadResp().setCheckpoint(checkpoint).serializeBinary();
        for (let at = -1; at < bytes.length; at++) {
          for (const value of at < 0 ? [0] : [0x00, 0x01, 0x08, 0x0a, 0x10, 0x1a, 0x7f, 0x80, 0xff]) {
            const changed = Uint8Array.from(bytes);
            if (at >= 0) changed[at] = value;
            for (const candidate of [changed, changed.subarray(0, Math.max(at, 0))]) {
              const fast = decodeReadEventResp(candidate, generated);
              if (at < 0 && candidate === changed) expect(fast).toBeDefined();
              if (fast === undefined) continue;
              decodedByHand++;
              expect(checkpointObserved(fast as unknown as StreamsPb.ReadResp)).toStrictEqual(checkpointObserved(generated(candidate) as StreamsPb.ReadResp));
              expect(fast.toObject()).toEqual(generated(candidate).toObject());
              expect(fast.serializeBinary()).toEqual(generated(candidate).serializeBinary());
            }
          }
        }
      }
    }
    expect(decodedByHand).toBeGreaterThan(36);
  });

  it('is installed on the class the client decodes with, and falls back to the generated decoder', () => {
    useFastReadRespDecoding();
    useFastReadRespDecoding();
    expect(clientReadRespClass()).toBe(ReadResp);
    expect(ReadResp.deserializeBinary(eventResp(typical))).not.toBeInstanceOf(ReadResp);
    const confirmation = new ReadResp();
    confirmation.setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId('sub'));
    const decoded = ReadResp.deserializeBinary(confirmation.serializeBinary());
    expect(decoded).toBeInstanceOf(ReadResp);
    expect(decoded.getConfirmation()?.getSubscriptionId()).toBe('sub');
  });
});
