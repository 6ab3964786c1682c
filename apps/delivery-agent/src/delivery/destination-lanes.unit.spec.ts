import { describe, expect, it } from 'vitest';
import { createDestinationLanes } from './destination-lanes.ts';

/** A task that runs until the test releases it. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, task: (log: string[], name: string) => async () => void (log.push(`start ${name}`), await opened, log.push(`end ${name}`)) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('destination lanes', () => {
  it('runs at most the bound per destination and starts the queued ones in arrival order', async () => {
    const lanes = createDestinationLanes(2);
    const log: string[] = [];
    const gates = [gate(), gate(), gate(), gate()];
    const runs = gates.map((each, index) => lanes.run('slow', each.task(log, `s${index}`)));
    await settle();
    expect(log).toEqual(['start s0', 'start s1']);
    expect(lanes.stats()).toEqual({ running: 2, queued: 2, destinations: 1 });

    gates[1]!.open();
    await settle();
    expect(log).toEqual(['start s0', 'start s1', 'end s1', 'start s2']);
    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    await Promise.all(runs);
    expect(log.filter((line) => line.startsWith('start'))).toEqual(['start s0', 'start s1', 'start s2', 'start s3']);
    expect(lanes.stats()).toEqual({ running: 0, queued: 0, destinations: 0 });
  });

  it('given backfill exports queued at a busy destination, when a live export comes, then it starts before them', async () => {
    const lanes = createDestinationLanes(1);
    const log: string[] = [];
    const gates = { running: gate(), b1: gate(), b2: gate(), live: gate() };
    const runs = [
      lanes.run('d', gates.running.task(log, 'running'), undefined, 'backfill'),
      lanes.run('d', gates.b1.task(log, 'b1'), undefined, 'backfill'),
      lanes.run('d', gates.b2.task(log, 'b2'), undefined, 'backfill'),
      lanes.run('d', gates.live.task(log, 'live'), undefined, 'live'),
    ];
    await settle();
    expect(lanes.stats()).toEqual({ running: 1, queued: 3, destinations: 1 });
    for (const each of Object.values(gates)) each.open();
    await Promise.all(runs);
    expect(log.filter((line) => line.startsWith('start'))).toEqual(['start running', 'start live', 'start b1', 'start b2']);
  });

  it('does not hold up another destination while one is at its bound', async () => {
    const lanes = createDestinationLanes(1);
    const log: string[] = [];
    const stuck = gate();
    const blocked = lanes.run('slow', stuck.task(log, 'slow-1'));
    const queued = lanes.run('slow', stuck.task(log, 'slow-2'));
    await lanes.run('fast', async () => void log.push('fast'));
    expect(log).toEqual(['start slow-1', 'fast']);
    stuck.open();
    await Promise.all([blocked, queued]);
  });

  it('passes the task result or error through and frees the slot either way', async () => {
    const lanes = createDestinationLanes(1);
    await expect(lanes.run('d', async () => 42)).resolves.toBe(42);
    await expect(lanes.run('d', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lanes.run('d', async () => 'still runs')).resolves.toBe('still runs');
    expect(lanes.stats().running).toBe(0);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => createDestinationLanes(0)).toThrow(RangeError);
  });
});
