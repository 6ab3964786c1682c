import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deterministicEventId } from '@spillway/event-streams';
import { profileStreamName, type ProfileChanged } from '@spillway/pipeline-events';
import { evolveProfile } from '@spillway/profile-state';
import { createLogger } from '@spillway/runtime';
import { openLmdbEngine } from '@spillway/store-engine';
import { ingestEvents } from '@spillway/xdm';
import { benchConfiguration } from '../pipeline/configuration.ts';

/** Appends in hand at once: the engine commits them together (one LMDB transaction and fsync per group). */
const appendsInFlight = 4_000;
const placeholder = '@@PROFILE@@';
const encoder = new TextEncoder();

export interface SeededStore {
  readonly dataDir: string;
  readonly profiles: number;
  readonly seconds: number;
}

/**
 * Writes `profiles` profile streams straight into a fresh LMDB data file, before the store
 * process starts on it: each `profile-<id>` holds the one `ProfileChanged` the projector would
 * have written for a profile with the 3 mapped attributes that is realized in the history
 * audience. It is the projected history a backfill replays; going through the gRPC client and the
 * projector would cost the seeding more CPU than the backfill being measured.
 */
export async function seedProfiles(profiles: number, progress: (message: string) => void): Promise<SeededStore> {
  const started = performance.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'spillway-backfill-'));
  const engine = await openLmdbEngine({ dataDir, logger: createLogger({ service: 'bench-seed', level: 'error' }) });
  const template = profileChangedTemplate();
  try {
    let written = 0;
    const appendOne = async (index: number) => {
      const profileId = historyProfileId(index);
      const data = encoder.encode(template.join(profileId));
      const outcome = await engine.append(profileStreamName(profileId), 'no_stream', [
        { id: deterministicEventId('bench-seed', profileId), type: 'ProfileChanged', contentType: 'application/json', data, metadata: new Uint8Array() },
      ]);
      if (outcome.kind !== 'success') throw new Error(`seeding ${profileId}: ${outcome.kind}`);
    };
    for (let first = 0; first < profiles; first += appendsInFlight) {
      const last = Math.min(profiles, first + appendsInFlight);
      await Promise.all(Array.from({ length: last - first }, (_, offset) => appendOne(first + offset)));
      written = last;
      if (written % 100_000 < appendsInFlight) progress(`seeded ${written} of ${profiles} profiles`);
    }
  } finally {
    await engine.close();
  }
  return { dataDir, profiles, seconds: (performance.now() - started) / 1000 };
}

export const historyProfileId = (index: number): string => `h${index}`;

/** The seeded event's JSON split at the profile id: each profile's data is a join, not a fold and a serialisation. */
function profileChangedTemplate(): readonly string[] {
  const at = '2024-05-01T09:00:00.000Z';
  const attributes = { person: { name: { firstName: `First-${placeholder}`, lastName: 'Last-0' } }, personalEmail: { address: `${placeholder}@bench.example` } };
  const written = evolveProfile(undefined, ingestEvents.attributesWritten(placeholder, attributes, at));
  const realized = evolveProfile(written.state, ingestEvents.membershipChanged(placeholder, benchConfiguration.historyAudienceId, 'realized', at));
  const changed: ProfileChanged = {
    profileId: placeholder,
    state: realized.state,
    change: realized.change,
    source: { streamId: `ingest-${placeholder}`, revision: 1, eventId: '00000000-0000-4000-8000-000000000001', eventType: 'SegmentMembershipChanged' },
    ingestedAt: at,
  };
  return JSON.stringify(changed).split(placeholder);
}
