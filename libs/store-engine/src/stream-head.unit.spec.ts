import { describe, expect, it } from 'vitest';
import type { ProposedEvent } from './engine.ts';
import type { EventLookup, RecordedRef, StreamHead } from './stream-head.ts';
import { currentRevisionOf, decideAppend, decideSoftDelete, decideTombstone, newStreamHead } from './stream-head.ts';

const event = (id: string): ProposedEvent => ({ id, type: 't', contentType: 'application/json', data: new Uint8Array(), metadata: new Uint8Array() });

/** Given these recorded events of stream "s" (revision = index, position = 10 + index). */
function recorded(...ids: string[]): { head: StreamHead; lookup: EventLookup } {
  const refs: RecordedRef[] = ids.map((id, revision) => ({ streamId: 's', revision, position: 10 + revision, id }));
  return {
    head: { ...newStreamHead, lastRevision: ids.length - 1 },
    lookup: {
      atRevision: (streamId, revision) => (streamId === 's' ? refs[revision] : undefined),
      byId: (id) => refs.findLast((ref) => ref.id === id),
    },
  };
}

describe('decideAppend', () => {
  it('writes after the last revision when the expectation holds', () => {
    const { head, lookup } = recorded('a', 'b');
    expect(decideAppend(head, 's', 1n, [event('c')], lookup)).toEqual({ kind: 'write', firstRevision: 2 });
    expect(decideAppend(head, 's', 'stream_exists', [event('c')], lookup)).toEqual({ kind: 'write', firstRevision: 2 });
    expect(decideAppend(head, 's', 'no_stream', [event('c')], lookup)).toEqual({ kind: 'wrong_expected_version', current: 1n });
  });

  it('replays the original result for ids already right after the expected revision', () => {
    const { head, lookup } = recorded('a', 'b', 'c');
    expect(decideAppend(head, 's', 0n, [event('b'), event('c')], lookup)).toEqual({ kind: 'replay', lastRevision: 2, lastPosition: 12 });
    expect(decideAppend(head, 's', 'no_stream', [event('a')], lookup)).toEqual({ kind: 'replay', lastRevision: 0, lastPosition: 10 });
    expect(decideAppend(head, 's', 'any', [event('b'), event('c')], lookup)).toEqual({ kind: 'replay', lastRevision: 2, lastPosition: 12 });
  });

  it('calls a partial match a wrong expected version', () => {
    const { head, lookup } = recorded('a', 'b', 'c');
    expect(decideAppend(head, 's', 0n, [event('b'), event('x')], lookup)).toEqual({ kind: 'wrong_expected_version', current: 2n });
    expect(decideAppend(head, 's', 'any', [event('b'), event('x')], lookup)).toEqual({ kind: 'wrong_expected_version', current: 2n });
  });

  it('treats a soft-deleted stream as absent and continues its revisions', () => {
    const head: StreamHead = { ...newStreamHead, lastRevision: 4, truncateBefore: 5 };
    expect(currentRevisionOf(head)).toBe('no_stream');
    expect(decideAppend(head, 's', 'no_stream', [event('x')], recorded().lookup)).toEqual({ kind: 'write', firstRevision: 5 });
    expect(decideAppend(head, 's', 4n, [event('x')], recorded().lookup)).toEqual({ kind: 'wrong_expected_version', current: 'no_stream' });
  });

  it('refuses everything on a tombstoned stream, before looking at ids', () => {
    const { lookup } = recorded('a');
    const head: StreamHead = { ...newStreamHead, lastRevision: 0, tombstoned: true };
    expect(decideAppend(head, 's', 'no_stream', [event('a')], lookup)).toEqual({ kind: 'stream_deleted' });
  });

  it('answers an empty append with the current revision', () => {
    const { head, lookup } = recorded('a');
    expect(decideAppend(head, 's', 0n, [], lookup)).toEqual({ kind: 'nothing_to_write', current: 0n });
  });
});

describe('deletes', () => {
  it('soft delete hides what is there and needs events or metadata', () => {
    const { head } = recorded('a', 'b');
    expect(decideSoftDelete(head, 'any', false)).toEqual({ kind: 'delete', head: { ...head, truncateBefore: 2 } });
    expect(decideSoftDelete(newStreamHead, 'any', false)).toEqual({ kind: 'wrong_expected_version', current: 'no_stream' });
    expect(decideSoftDelete(newStreamHead, 'any', true)).toMatchObject({ kind: 'delete' });
  });

  it('tombstone marks the stream, also one that never existed', () => {
    expect(decideTombstone(newStreamHead, 'no_stream')).toEqual({ kind: 'delete', head: { ...newStreamHead, tombstoned: true } });
    expect(decideTombstone({ ...newStreamHead, tombstoned: true }, 'any')).toEqual({ kind: 'stream_deleted' });
  });
});
