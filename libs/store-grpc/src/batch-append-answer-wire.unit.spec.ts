import { describe, expect, it } from 'vitest';
import { emptyPb, sharedPb, streamsPb } from './protocol.ts';
import type { Uuid } from './protocol.ts';
import { encodeBatchAppendSuccess } from './batch-append-answer-wire.ts';
import { decodeBatchAppendReq, type PlainUuid } from './batch-append-wire.ts';
import { streamIdentifier } from './events.ts';
import { uuidMessageOf } from './uuid.ts';

/** The answer as the store built it before, with the generated classes: the reference. */
function generatedSuccess(correlationId: Uuid | undefined, streamName: string, nextRevision: bigint, position: bigint): Buffer {
  const success = new streamsPb.BatchAppendResp.Success();
  if (nextRevision < 0n) success.setNoStream(new emptyPb.Empty());
  else success.setCurrentRevision(nextRevision.toString());
  if (position < 0n) success.setNoPosition(new emptyPb.Empty());
  else success.setPosition(new sharedPb.AllStreamPosition().setCommitPosition(position.toString()).setPreparePosition(position.toString()));
  const response = new streamsPb.BatchAppendResp().setStreamIdentifier(streamIdentifier(streamName)).setSuccess(success);
  if (correlationId !== undefined) response.setCorrelationId(correlationId);
  return Buffer.from(response.serializeBinary());
}

/** A correlation id as the store receives it: the client's generated message, through the store's decoder. */
function received(uuid: Uuid | undefined): PlainUuid | undefined {
  const request = new streamsPb.BatchAppendReq().setIsFinal(true);
  if (uuid !== undefined) request.setCorrelationId(uuid);
  return decodeBatchAppendReq(Buffer.from(request.serializeBinary())).correlationId;
}

const structured = (most: string, least: string) => new sharedPb.UUID().setStructured(new sharedPb.UUID.Structured().setMostSignificantBits(most).setLeastSignificantBits(least));
const correlationIds: [string, Uuid | undefined][] = [
  ['none', undefined],
  ['string', new sharedPb.UUID().setString('3f2504e0-4f89-11d3-9a0c-0305e82c3301')],
  ['empty string', new sharedPb.UUID().setString('')],
  ['neither form', new sharedPb.UUID()],
  ['structured, high bits set', structured('-4611686018427387904', '-1')],
  ['structured, positive', structured('4542014937470345683', '11144290427817')],
  ['structured, zero halves', structured('0', '0')],
  ['structured, one zero half', structured('0', '-9223372036854775808')],
];
const revisions = [-1n, 0n, 1n, 127n, 128n, 300_000n, 2n ** 53n + 1n, 2n ** 64n - 1n];
const positions = [-1n, 0n, 1n, 16_384n, 2n ** 40n + 7n, 2n ** 63n];
const streamNames = ['', 'profile-p-1', 'exports-df-ü-€-😀', 'x'.repeat(300)];

describe('encodeBatchAppendSuccess: the bytes of the generated serializer', () => {
  it.each(correlationIds)('correlation id %s', (_name, uuid) => {
    const wire = received(uuid);
    const echoed = wire && uuidMessageOf(wire);
    for (const streamName of streamNames) {
      for (const nextRevision of revisions) {
        for (const position of positions) {
          expect(encodeBatchAppendSuccess(wire, streamName, nextRevision, position)).toEqual(generatedSuccess(echoed, streamName, nextRevision, position));
        }
      }
    }
  });

  it('reads back through the generated decoder as the same answer', () => {
    const wire = received(structured('-4611686018427387904', '42'));
    const answer = streamsPb.BatchAppendResp.deserializeBinary(encodeBatchAppendSuccess(wire, 'profile-p-1', 4n, 1_234_567n));
    expect(answer.getCorrelationId()?.getStructured()?.getMostSignificantBits()).toBe('-4611686018427387904');
    expect(answer.getCorrelationId()?.getStructured()?.getLeastSignificantBits()).toBe('42');
    expect(Buffer.from(answer.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8')).toBe('profile-p-1');
    expect(answer.getSuccess()?.getCurrentRevision()).toBe('4');
    expect(answer.getSuccess()?.getPosition()?.getCommitPosition()).toBe('1234567');
    expect(answer.getSuccess()?.getPosition()?.getPreparePosition()).toBe('1234567');
    expect(answer.hasError()).toBe(false);
  });
});
