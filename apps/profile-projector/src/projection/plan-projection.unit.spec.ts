import { profileChangedSchema } from '@spillway/pipeline-events';
import { emptyProfileState } from '@spillway/profile-state';
import { ingestEvents, type IngestEvent } from '@spillway/xdm';
import { describe, expect, it } from 'vitest';
import { newProfileHead, type ProfileHead } from './profile-head.ts';
import { isAlreadyApplied, planProjection, type IngestInput } from './plan-projection.ts';

const recordedAt = new Date('2026-03-01T10:00:00.123Z');
const input = (revision: number, event: IngestEvent): IngestInput => ({
  streamId: 'ingest-p1',
  eventId: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
  revision,
  recordedAt,
  event,
});
const written = (attributes: Record<string, unknown>) => ingestEvents.attributesWritten('p1', attributes as never, '2026-03-01T09:59:00Z');

describe('what one ingest event does to a profile', () => {
  it('given a new profile, when attributes are written, then it publishes the state, what changed, the source and when it was ingested', () => {
    const plan = planProjection(newProfileHead, input(0, written({ person: { name: { firstName: 'Ada' } } })));
    expect(plan).toEqual({
      kind: 'append',
      profileChanged: {
        profileId: 'p1',
        state: { ...emptyProfileState('p1'), attributes: { person: { name: { firstName: 'Ada' } } } },
        change: { profileId: 'p1', attributesWritten: ['person.name.firstName'], identitiesAdded: [], identitiesRemoved: [], membershipsChanged: [] },
        source: { streamId: 'ingest-p1', revision: 0, eventId: '00000000-0000-4000-8000-000000000000', eventType: 'ProfileAttributesWritten' },
        ingestedAt: '2026-03-01T10:00:00.123Z',
      },
    });
    if (plan.kind === 'append') expect(profileChangedSchema.safeParse(plan.profileChanged).success).toBe(true);
  });

  it('given a profile, when a write repeats a value, then it still publishes it (a write of an unchanged value exports)', () => {
    const state = { ...emptyProfileState('p1'), attributes: { loyalty: { tier: 'gold' } } };
    const head: ProfileHead = { state, revision: 4n, lastSourceRevision: 6 };
    const plan = planProjection(head, input(7, written({ loyalty: { tier: 'gold' } })));
    expect(plan).toMatchObject({ kind: 'append', profileChanged: { state, change: { attributesWritten: ['loyalty.tier'] } } });
  });

  it('given a profile, when an event changes nothing, then nothing is published', () => {
    const head: ProfileHead = { state: emptyProfileState('p1'), revision: 0n, lastSourceRevision: 0 };
    expect(planProjection(head, input(1, ingestEvents.identitiesUnlinked('p1', { email: [{ id: 'a@example.com' }] })))).toEqual({ kind: 'unchanged' });
    expect(planProjection(newProfileHead, input(0, ingestEvents.identitiesUnlinked('p1', { email: [{ id: 'a@example.com' }] })))).toEqual({ kind: 'unchanged' });
  });

  it('given an ingest event at or below the last applied revision, then it was applied already and is skipped', () => {
    const head: ProfileHead = { state: emptyProfileState('p1'), revision: 2n, lastSourceRevision: 5 };
    expect(isAlreadyApplied(head, 5)).toBe(true);
    expect(isAlreadyApplied(head, 4)).toBe(true);
    expect(isAlreadyApplied(head, 6)).toBe(false);
    expect(isAlreadyApplied(newProfileHead, 0)).toBe(false);
    expect(planProjection(head, input(5, written({ a: 1 })))).toEqual({ kind: 'already-applied', lastSourceRevision: 5 });
  });

  it('given an event that changed nothing is folded again after a crash, then it changes nothing again', () => {
    const head: ProfileHead = { state: { ...emptyProfileState('p1'), identityMap: { email: [{ id: 'a@example.com' }] } }, revision: 0n, lastSourceRevision: 0 };
    const relink = input(1, ingestEvents.identitiesLinked('p1', { email: [{ id: 'a@example.com' }] }));
    expect(planProjection(head, relink)).toEqual({ kind: 'unchanged' });
    expect(planProjection(head, relink)).toEqual({ kind: 'unchanged' });
  });
});
