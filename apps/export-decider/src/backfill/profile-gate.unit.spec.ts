import { describe, expect, it } from 'vitest';
import { createProfileGate } from './profile-gate.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the profile gate', () => {
  it('runs the holders of one profile one after another, in the order they asked', async () => {
    const gate = createProfileGate();
    const order: string[] = [];
    let release: () => void = () => {};
    const first = gate.run('profile-a', () => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('live')));
    const second = gate.run('profile-a', async () => void order.push('backfill'), 'backfill');
    await tick();
    expect(order).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['live', 'backfill']);
  });

  it('tells an open watch of the profiles live holders asked for, as soon as they asked, and not of backfill holders', async () => {
    const gate = createProfileGate();
    await gate.run('profile-before', async () => {});
    const watch = gate.watchLive();
    let release: () => void = () => {};
    const live = gate.run('profile-a', () => new Promise<void>((resolve) => (release = resolve)));
    await gate.run('profile-b', async () => {}, 'backfill');
    expect(['profile-before', 'profile-a', 'profile-b'].map((stream) => watch.has(stream))).toEqual([false, true, false]);
    release();
    await live;
    watch.close();
    await gate.run('profile-c', async () => {});
    expect(watch.has('profile-c')).toBe(false);
  });

  it('a watch past its size says every profile was asked for', async () => {
    const gate = createProfileGate();
    const watch = gate.watchLive({ maxProfiles: 2 });
    for (const stream of ['profile-a', 'profile-b', 'profile-c']) await gate.run(stream, async () => {});
    expect(watch.has('profile-z')).toBe(true);
  });
});
