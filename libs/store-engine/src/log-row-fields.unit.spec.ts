import { describe, expect, it } from 'vitest';
import { peekLogRowField } from './log-row-fields.ts';

/** msgpack string: fixstr, str8, str16 */
function str(value: string): number[] {
  const bytes = [...Buffer.from(value, 'utf8')];
  if (bytes.length < 32) return [0xa0 | bytes.length, ...bytes];
  if (bytes.length < 256) return [0xd9, bytes.length, ...bytes];
  return [0xda, bytes.length >> 8, bytes.length & 0xff, ...bytes];
}

function row(streamId: string, revision: number[], id: string, type: string): Buffer {
  return Buffer.from([0x98, ...str(streamId), ...revision, ...str(id), ...str(type), 0xc0, 0xc0, 0xc0, 0xc0]);
}

describe('peekLogRowField', () => {
  it('reads the stream id and the type of a row whatever the size of the revision', () => {
    for (const revision of [[0x05], [0xcc, 200], [0xcd, 1, 0], [0xce, 0, 1, 0, 0], [0xcb, 0x43, 0x30, 0, 0, 0, 0, 0, 0]]) {
      const bytes = row('profile-1', revision, 'c0ffee00-0000-4000-8000-000000000001', 'ProfileChanged');
      expect(peekLogRowField(bytes, 'streamId')).toBe('profile-1');
      expect(peekLogRowField(bytes, 'id')).toBe('c0ffee00-0000-4000-8000-000000000001');
      expect(peekLogRowField(bytes, 'type')).toBe('ProfileChanged');
    }
  });

  it('reads long and non-ASCII strings', () => {
    const long = `stream-${'x'.repeat(300)}`;
    expect(peekLogRowField(row(long, [0x00], 'id', 'T'), 'streamId')).toBe(long);
    expect(peekLogRowField(row('flüsse-😀', [0x00], 'id', `Typ-${'ä'.repeat(20)}`), 'type')).toBe(`Typ-${'ä'.repeat(20)}`);
  });

  it('gives up, rather than guess, on bytes laid out otherwise', () => {
    expect(peekLogRowField(Buffer.from([0x97, ...str('s')]), 'streamId')).toBeUndefined();
    expect(peekLogRowField(Buffer.from([0x98, 0xa5, 0x61]), 'streamId')).toBeUndefined();
    expect(peekLogRowField(Buffer.from([0x98, ...str('s'), 0xc3, ...str('id'), ...str('T')]), 'type')).toBeUndefined();
    expect(peekLogRowField(Buffer.from([]), 'type')).toBeUndefined();
  });
});
