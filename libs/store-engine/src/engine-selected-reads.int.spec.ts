import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventSelector, RecordedEvent, StoreEngine } from './engine.ts';
import { allEvents, proposed, proposedMany } from './testing/fixtures.ts';
import { engineSubjects } from './testing/engine-subjects.ts';
import type { EngineSubject } from './testing/engine-subjects.ts';

const everything = 1_000_000n;
const byStream = (prefix: string): EventSelector => ({ field: 'streamId', matches: (value) => value.startsWith(prefix) });
const names = (events: readonly RecordedEvent[]) => events.map((event) => `${event.streamId}@${event.revision}`);

describe.each(engineSubjects)('$name engine: readAllSelected', (subject) => {
  let instance: ReturnType<EngineSubject['make']>;
  let engine: StoreEngine;

  beforeEach(async () => {
    instance = subject.make();
    engine = await instance.open();
    await engine.append('keep-a', 'any', proposedMany(2));
    await engine.append('drop-b', 'any', [proposed({ type: 'Kept' })]);
    await engine.append('keep-ü-😀', 'any', [proposed()]);
    await engine.append('drop-c', 'any', proposedMany(2));
    await engine.append('keep-a', 'any', [proposed({ type: 'Kept' })]);
  });

  afterEach(async () => {
    await engine.close();
    instance.cleanup();
  });

  it('returns whole events for the streams it keeps and counts every event it scanned', () => {
    const page = engine.readAllSelected({ direction: 'forwards', from: 'start', maxCount: everything }, byStream('keep-'));
    expect(names(page.events)).toEqual(['keep-a@0', 'keep-a@1', 'keep-ü-😀@0', 'keep-a@2']);
    const everyEvent = allEvents(engine);
    expect(page.events).toEqual(everyEvent.filter((event) => event.streamId.startsWith('keep-')));
    expect(page.scanned).toBe(7);
    expect(page.lastScanned).toBe(everyEvent.at(-1)!.position);
  });

  it('selects by event type', () => {
    const page = engine.readAllSelected({ direction: 'forwards', from: 'start', maxCount: everything }, { field: 'type', matches: (type) => type === 'Kept' });
    expect(names(page.events)).toEqual(['drop-b@0', 'keep-a@2']);
  });

  it('stops after maxCount scanned events, selected or not, from a position, in both directions', () => {
    const positions = allEvents(engine).map((event) => event.position);
    const forwards = engine.readAllSelected({ direction: 'forwards', from: positions[1]!, maxCount: 3n }, byStream('keep-'));
    expect(names(forwards.events)).toEqual(['keep-a@1', 'keep-ü-😀@0']);
    expect([forwards.scanned, forwards.lastScanned]).toEqual([3, positions[3]]);
    const backwards = engine.readAllSelected({ direction: 'backwards', from: 'end', maxCount: 3n }, byStream('keep-'));
    expect(names(backwards.events)).toEqual(['keep-a@2']);
    expect([backwards.scanned, backwards.lastScanned]).toEqual([3, positions[4]]);
  });

  it('reports nothing scanned past the end of the log', () => {
    const positions = allEvents(engine).map((event) => event.position);
    expect(engine.readAllSelected({ direction: 'forwards', from: positions.at(-1)! + 1n, maxCount: 10n }, byStream(''))).toEqual({
      events: [],
      scanned: 0,
      lastScanned: undefined,
    });
  });
});
