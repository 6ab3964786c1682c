import { applyAttributeWrite, type IngestEvent } from '@spillway/xdm';
import { linkIdentities, unlinkIdentities } from './identities.ts';
import { applyMembership } from './memberships.ts';
import { emptyProfileChange, emptyProfileState, type ProfileChange, type ProfileState } from './profile-state.ts';

export interface ProfileEvolution {
  /** The state after the event; the same object when the event changed nothing in it. */
  readonly state: ProfileState;
  /** What the event wrote, for the export decision. */
  readonly change: ProfileChange;
}

export class ProfileMismatchError extends Error {
  readonly type = 'ProfileMismatch';
  readonly stateProfileId: string;
  readonly eventProfileId: string;
  constructor(stateProfileId: string, eventProfileId: string) {
    super(`event for profile '${eventProfileId}' applied to the state of profile '${stateProfileId}'`);
    this.name = 'ProfileMismatchError';
    this.stateProfileId = stateProfileId;
    this.eventProfileId = eventProfileId;
  }
}

/**
 * Folds one validated ingest event into a profile. Only the parts the event touches are copied;
 * the rest of the state is shared with the previous one.
 */
export function evolveProfile(current: ProfileState | undefined, event: IngestEvent): ProfileEvolution {
  const { profileId } = event.data;
  const state = current ?? emptyProfileState(profileId);
  if (state.profileId !== profileId) throw new ProfileMismatchError(state.profileId, profileId);
  const change = emptyProfileChange(profileId);
  switch (event.type) {
    case 'ProfileAttributesWritten': {
      const { attributes, written } = applyAttributeWrite(state.attributes, event.data.attributes);
      change.attributesWritten.push(...written);
      return { state: attributes === state.attributes ? state : { ...state, attributes }, change };
    }
    case 'IdentitiesLinked': {
      const { identityMap, changed } = linkIdentities(state.identityMap, event.data.identities);
      change.identitiesAdded.push(...changed);
      return { state: identityMap === state.identityMap ? state : { ...state, identityMap }, change };
    }
    case 'IdentitiesUnlinked': {
      const { identityMap, changed } = unlinkIdentities(state.identityMap, event.data.identities);
      change.identitiesRemoved.push(...changed);
      return { state: identityMap === state.identityMap ? state : { ...state, identityMap }, change };
    }
    case 'SegmentMembershipChanged': {
      const { audienceId, status, lastQualificationTime } = event.data;
      const update = applyMembership(state.segmentMembership, audienceId, status, lastQualificationTime);
      if (update.change) change.membershipsChanged.push(update.change);
      return { state: update.change ? { ...state, segmentMembership: update.segmentMembership } : state, change };
    }
    default: {
      const unknown: never = event;
      throw new Error(`unknown ingest event ${JSON.stringify(unknown)}`);
    }
  }
}

/** Folds a whole history, e.g. when a profile is loaded from its stream. */
export function foldProfile(profileId: string, events: Iterable<IngestEvent>): ProfileState {
  let state = emptyProfileState(profileId);
  for (const event of events) state = evolveProfile(state, event).state;
  return state;
}
