import { describe, expect, it } from 'vitest';
import { createKeyLanes } from './key-lanes.ts';

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('key lanes', () => {
  it('runs different keys side by side and the same key one after another, in order', async () => {
    const lanes = createKeyLanes(10);
    const log: string[] = [];
    const a1 = gate();
    lanes.run('a', async () => {
      log.push('a1 start');
      await a1.opened;
      log.push('a1 end');
    });
    lanes.run('a', async () => void log.push('a2'));
    lanes.run('b', async () => void log.push('b1'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(log).toEqual(['a1 start', 'b1']);
    a1.open();
    await lanes.idle();
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it('has room only below maxInFlight, counting tasks queued behind their key', async () => {
    const lanes = createKeyLanes(2);
    const first = gate();
    lanes.run('a', () => first.opened);
    lanes.run('a', async () => {});
    let roomy = false;
    const room = lanes.room().then(() => (roomy = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(roomy).toBe(false);
    expect(lanes.inFlight()).toBe(2);
    first.open();
    await room;
    await lanes.idle();
    expect(lanes.inFlight()).toBe(0);
  });

  it('goes on with the next task of a key when one fails', async () => {
    const lanes = createKeyLanes(4);
    const log: string[] = [];
    lanes.run('a', async () => {
      throw new Error('boom');
    });
    lanes.run('a', async () => void log.push('after'));
    await lanes.idle();
    expect(log).toEqual(['after']);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => createKeyLanes(0)).toThrow(RangeError);
  });
});
