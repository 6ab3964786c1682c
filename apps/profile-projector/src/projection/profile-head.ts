import type { StoredEvent } from '@spillway/event-streams';
import type { ProfileChanged } from '@spillway/pipeline-events';
import type { ProfileState } from '@spillway/profile-state';

/**
 * What the projector needs to know of a profile to fold its next ingest event: the state, the
 * revision of `profile-<id>` it was read at (the expected revision of the next append), and the
 * revision of the last ingest event that was applied to it.
 */
export interface ProfileHead {
  /** Undefined for a profile with no `ProfileChanged` yet. */
  readonly state: ProfileState | undefined;
  readonly revision: bigint | 'no_stream';
  /** -1 when nothing was applied yet. */
  readonly lastSourceRevision: number;
}

export const newProfileHead: ProfileHead = { state: undefined, revision: 'no_stream', lastSourceRevision: -1 };

export function headOfProfileChanged(stored: Pick<StoredEvent<{ readonly data: ProfileChanged }>, 'event' | 'revision'>): ProfileHead {
  return { state: stored.event.data.state, revision: stored.revision, lastSourceRevision: stored.event.data.source.revision };
}
