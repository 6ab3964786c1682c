import { internalStreamPrefixes, type ProfileChanged } from '@spillway/pipeline-events';

/** The profile id a `profile-<profileId>` stream is about, or undefined for another stream. */
export function profileIdOfStream(streamId: string): string | undefined {
  const prefix = internalStreamPrefixes.profile;
  return streamId.startsWith(prefix) && streamId.length > prefix.length ? streamId.slice(prefix.length) : undefined;
}

/**
 * What the schema cannot see: a `ProfileChanged` must be about the profile of its stream, or its
 * revision would be the sequence of another profile's exports. Undefined when consistent.
 */
export function inconsistencyOf(streamId: string, changed: ProfileChanged): string | undefined {
  const profileId = profileIdOfStream(streamId);
  if (profileId === undefined) return `ProfileChanged in '${streamId}', which is not a profile- stream`;
  if (changed.profileId !== profileId) return `profileId '${changed.profileId}' does not match the stream's profile '${profileId}'`;
  if (changed.state.profileId !== profileId) return `state.profileId '${changed.state.profileId}' does not match the stream's profile '${profileId}'`;
  if (changed.change.profileId !== profileId) return `change.profileId '${changed.change.profileId}' does not match the stream's profile '${profileId}'`;
  return undefined;
}
