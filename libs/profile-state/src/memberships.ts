import { normalizeQualificationTime, type MembershipStatus, type SegmentMembership } from '@spillway/xdm';
import type { MembershipChange } from './profile-state.ts';

export interface MembershipUpdate {
  /** The memberships after the update; the same object when nothing changed. */
  readonly segmentMembership: SegmentMembership;
  readonly change: MembershipChange | undefined;
}

/**
 * Records the profile's status in one audience. The event in stream order wins, including its
 * qualification time. Writing the status and time already held changes nothing.
 */
export function applyMembership(
  segmentMembership: SegmentMembership,
  audienceId: string,
  status: MembershipStatus,
  lastQualificationTime: string,
): MembershipUpdate {
  const time = normalizeQualificationTime(lastQualificationTime);
  const { ups } = segmentMembership;
  const previous = Object.hasOwn(ups, audienceId) ? ups[audienceId] : undefined;
  if (previous?.status === status && previous.lastQualificationTime === time) return { segmentMembership, change: undefined };
  return {
    segmentMembership: { ups: { ...ups, [audienceId]: { status, lastQualificationTime: time } } },
    change: { audienceId, previousStatus: previous?.status ?? null, status, lastQualificationTime: time },
  };
}

/**
 * The status moves that section 6 rule 1 exports: none -> realized, realized -> exited,
 * exited -> realized. A repeated status (a re-qualification with a newer time) and
 * none -> exited are recorded in the state but are not transitions.
 */
export function isMembershipTransition(change: Pick<MembershipChange, 'previousStatus' | 'status'>): boolean {
  switch (change.status) {
    case 'realized':
      return change.previousStatus !== 'realized';
    case 'exited':
      return change.previousStatus === 'realized';
    default: {
      const unknown: never = change.status;
      throw new Error(`unknown membership status ${String(unknown)}`);
    }
  }
}

/** True when the profile is realized in the audience. */
export function isRealizedIn(segmentMembership: SegmentMembership, audienceId: string): boolean {
  return Object.hasOwn(segmentMembership.ups, audienceId) && segmentMembership.ups[audienceId]!.status === 'realized';
}
