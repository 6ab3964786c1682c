import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeEvent, defineEvents, validateForAppend } from './catalog.ts';

const catalog = defineEvents({ Renamed: z.object({ name: z.object({ first: z.string() }) }) });
const lenient = defineEvents({ Renamed: z.object({ name: z.string() }) }, { unknownTypes: 'ignore' });
const bytes = (text: string) => new TextEncoder().encode(text);

describe('decoding a recorded event against the catalog', () => {
  it('accepts valid JSON data, typed', () => {
    expect(decodeEvent(catalog, { type: 'Renamed', isJson: true, data: { name: { first: 'Ada' } } })).toEqual({
      outcome: 'accepted',
      event: { type: 'Renamed', data: { name: { first: 'Ada' } } },
    });
  });

  it('reads JSON written with a binary content type', () => {
    expect(decodeEvent(catalog, { type: 'Renamed', isJson: false, data: bytes('{"name":{"first":"Ada"}}') })).toMatchObject({ outcome: 'accepted' });
  });

  it('given a catalog whose data is unread, then an event of a known type is accepted without its data being read, and others still ignored', () => {
    const positionsOnly = defineEvents({ Renamed: z.undefined() }, { unknownTypes: 'ignore', data: 'unread' });
    const untouchable = (type: string) => ({
      type,
      isJson: true,
      get data(): unknown {
        throw new Error('the data was read');
      },
    });
    expect(decodeEvent(positionsOnly, untouchable('Renamed'))).toEqual({ outcome: 'accepted', event: { type: 'Renamed', data: undefined } });
    expect(decodeEvent(positionsOnly, untouchable('Other'))).toEqual({ outcome: 'ignored' });
  });

  it('rejects a payload that is not JSON', () => {
    expect(decodeEvent(catalog, { type: 'Renamed', isJson: false, data: bytes('{"name":') })).toMatchObject({
      outcome: 'rejected',
      reason: { kind: 'malformed-json' },
    });
    expect(decodeEvent(catalog, { type: 'Renamed', isJson: true, data: '{oops' })).toMatchObject({ outcome: 'rejected', reason: { kind: 'malformed-json' } });
  });

  it('rejects data that fails the schema with the path and message of each issue', () => {
    expect(decodeEvent(catalog, { type: 'Renamed', isJson: true, data: { name: { first: 7 } } })).toEqual({
      outcome: 'rejected',
      reason: { kind: 'schema-mismatch', issues: [{ path: 'name.first', message: expect.stringContaining('expected string') }] },
    });
  });

  it('rejects or ignores unknown types as the catalog says, and always ignores system events', () => {
    expect(decodeEvent(catalog, { type: 'Moved', isJson: true, data: {} })).toEqual({ outcome: 'rejected', reason: { kind: 'unknown-type' } });
    expect(decodeEvent(lenient, { type: 'Moved', isJson: true, data: {} })).toEqual({ outcome: 'ignored' });
    expect(decodeEvent(catalog, { type: '$metadata', isJson: true, data: {} })).toEqual({ outcome: 'ignored' });
  });

  it('does not take inherited properties for event types', () => {
    expect(decodeEvent(catalog, { type: 'toString', isJson: true, data: {} })).toEqual({ outcome: 'rejected', reason: { kind: 'unknown-type' } });
  });
});

describe('validating before an append', () => {
  it('names the type that is not in the catalog', () => {
    expect(validateForAppend(catalog, { type: 'Moved', data: {} })).toEqual({
      ok: false,
      issues: [{ path: '', message: 'event type Moved is not in the catalog' }],
    });
  });
});
