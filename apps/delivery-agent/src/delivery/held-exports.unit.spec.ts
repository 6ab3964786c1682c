import type { Position } from '@spillway/event-streams';
import { describe, expect, it } from 'vitest';
import { createHeldExports } from './held-exports.ts';

const at = (commit: number): Position => ({ commit: BigInt(commit), prepare: BigInt(commit) });
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Work that runs until the test finishes or fails it. */
function work(log: string[], name: string) {
  let finish: () => void = () => {};
  let fail: (error: Error) => void = () => {};
  const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  return { finish, fail, start: async () => void (log.push(`start ${name}`), await done) };
}

const never = new AbortController().signal;

describe('held exports', () => {
  it('given a destination whose exports never finish, when more of them come than its bound, then they wait while another destination’s exports are taken at once', async () => {
    const held = createHeldExports({ maxPerDestination: 2, from: at(1) });
    const log: string[] = [];
    const dead = [work(log, 'd1'), work(log, 'd2'), work(log, 'd3')];
    const taken: string[] = [];
    dead.forEach((each, index) => void held.take({ position: at(10 + index), destinationId: 'dead', key: `f/p${index}` }, each.start, never).then(() => taken.push(`d${index + 1}`)));
    const alive = work(log, 'a1');
    await held.take({ position: at(20), destinationId: 'alive', key: 'g/p0' }, alive.start, never);
    await settle();
    expect(log).toEqual(['start d1', 'start d2', 'start a1']);
    expect(taken).toEqual(['d1', 'd2']);
    expect(held.stats()).toEqual({ held: 3, waitingForRoom: 1, unfinished: 4 });

    dead[0]!.finish();
    await settle();
    expect(log).toEqual(['start d1', 'start d2', 'start a1', 'start d3']);
    expect(taken).toEqual(['d1', 'd2', 'd3']);
  });

  it('given an export of a key waiting for room, when a later export of the same key goes to a destination with room, then it waits behind the first', async () => {
    const held = createHeldExports({ maxPerDestination: 1, from: undefined });
    const log: string[] = [];
    const [first, second, third] = [work(log, 'old-dest'), work(log, 'old-dest-2'), work(log, 'new-dest')];
    void held.take({ position: at(1), destinationId: 'old', key: 'f/p1' }, first.start, never);
    void held.take({ position: at(2), destinationId: 'old', key: 'f/p2' }, second.start, never);
    void held.take({ position: at(3), destinationId: 'new', key: 'f/p2' }, third.start, never);
    await settle();
    expect(log).toEqual(['start old-dest']);
    first.finish();
    await settle();
    expect(log).toEqual(['start old-dest', 'start old-dest-2', 'start new-dest']);
  });

  it('given a destination at its bound with exports waiting behind it, when its exports finish one by one, then each finish takes exactly the oldest waiting one', async () => {
    const held = createHeldExports({ maxPerDestination: 2, from: undefined });
    const log: string[] = [];
    const exports = Array.from({ length: 6 }, (_, index) => work(log, `e${index}`));
    exports.forEach((each, index) => void held.take({ position: at(index + 1), destinationId: 'd', key: `f/p${index}` }, each.start, never));
    await settle();
    expect(log).toEqual(['start e0', 'start e1']);
    for (const [finished, next] of [[0, 2], [1, 3], [2, 4]] as const) {
      exports[finished]!.finish();
      await settle();
      expect(log.at(-1)).toBe(`start e${next}`);
      expect(held.stats()).toMatchObject({ held: 2, waitingForRoom: 5 - next });
    }
  });

  it('given unfinished exports, then a checkpoint stays before the oldest of them, and moves on once it finishes', async () => {
    const held = createHeldExports({ maxPerDestination: 10, from: at(5) });
    const log: string[] = [];
    expect(held.clamp(at(9))).toEqual(at(9));
    held.note(at(6));
    const [older, newer] = [work(log, 'older'), work(log, 'newer')];
    await held.take({ position: at(7), destinationId: 'd', key: 'f/p1' }, older.start, never);
    held.note(at(8));
    await held.take({ position: at(9), destinationId: 'd', key: 'f/p2' }, newer.start, never);
    expect(held.clamp(at(12))).toEqual(at(6));
    expect(held.clamp(at(4))).toEqual(at(4));

    older.finish();
    await settle();
    expect(held.clamp(at(12))).toEqual(at(8));
    newer.finish();
    await held.settled();
    expect(held.clamp(at(12))).toEqual(at(12));
  });

  it('given an export whose work fails or is abandoned, then it stays unfinished: the checkpoint stays before it', async () => {
    const held = createHeldExports({ maxPerDestination: 10, from: at(1) });
    const log: string[] = [];
    const failing = work(log, 'failing');
    await held.take({ position: at(2), destinationId: 'd', key: 'f/p1' }, failing.start, never);
    failing.fail(new Error('abandoned'));
    await held.settled();
    expect(held.clamp(at(9))).toEqual(at(1));
    expect(held.stats()).toEqual({ held: 0, waitingForRoom: 0, unfinished: 1 });
  });

  it('given the first export at the start of the log, then no checkpoint may be stored while it is unfinished', async () => {
    const held = createHeldExports({ maxPerDestination: 10, from: undefined });
    const first = work([], 'first');
    await held.take({ position: at(1), destinationId: 'd', key: 'f/p1' }, first.start, never);
    expect(held.clamp(at(5))).toBeUndefined();
  });

  it('given an export waiting for room, when the signal aborts, then it is given up with the reason and nothing of it starts', async () => {
    const held = createHeldExports({ maxPerDestination: 1, from: at(1) });
    const log: string[] = [];
    const stopping = new AbortController();
    void held.take({ position: at(2), destinationId: 'd', key: 'f/p1' }, work(log, 'running').start, never);
    const waiting = held.take({ position: at(3), destinationId: 'd', key: 'f/p2' }, work(log, 'waiting').start, stopping.signal);
    stopping.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    expect(log).toEqual(['start running']);
    expect(held.stats().waitingForRoom).toBe(0);
  });
});
