import type { EventStore } from '@spillway/event-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEventCatalog } from '../config-streams/public-catalogs.ts';
import { connectForTest, runCli, uniqueId } from '../testing/cli-process.ts';

let store: EventStore;
beforeAll(async () => {
  store = await connectForTest();
});
afterAll(async () => {
  await store.close();
});

const ingestStream = (profileId: string) => store.readStreamEvents(`ingest-${profileId}`, ingestEventCatalog);

describe('spillway ingest', () => {
  it('given attributes as partial XDM, when ingested, then ProfileAttributesWritten carries them, null leaves included', async () => {
    const profileId = uniqueId('profile');
    const run = await runCli(['ingest', 'attributes', '--profile', profileId, '--json', '{"person":{"name":{"firstName":"Ada","lastName":null}}}']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const [written] = await ingestStream(profileId);
    expect(written?.event).toMatchObject({
      type: 'ProfileAttributesWritten',
      data: { profileId, attributes: { person: { name: { firstName: 'Ada', lastName: null } } } },
    });
    expect(written?.event.type === 'ProfileAttributesWritten' && Date.parse(written.event.data.writtenAt)).toBeGreaterThan(0);
  });

  it('given attributes that are not an XDM object, when ingested, then nothing is written and the field is named', async () => {
    const profileId = uniqueId('profile');
    const run = await runCli(['ingest', 'attributes', '--profile', profileId, '--json', '{"identityMap":{"ecid":[{"id":"1"}]}}']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('spillway: --json is not a partial XDM object: identityMap: is not an attribute');
    expect(await ingestStream(profileId)).toEqual([]);
  });

  it('given an identity, when linked and then unlinked, then both events are in the profile stream', async () => {
    const profileId = uniqueId('profile');
    expect((await runCli(['ingest', 'identities', '--profile', profileId, '--namespace', 'ecid', '--id', '14575006536349286404619648085736425115'])).exitCode).toBe(0);
    expect((await runCli(['ingest', 'identities', '--profile', profileId, '--namespace', 'ecid', '--id', '14575006536349286404619648085736425115', '--unlink'])).exitCode).toBe(0);
    const identities = { ecid: [{ id: '14575006536349286404619648085736425115' }] };
    expect((await ingestStream(profileId)).map((stored) => stored.event)).toEqual([
      { type: 'IdentitiesLinked', data: { profileId, identities } },
      { type: 'IdentitiesUnlinked', data: { profileId, identities } },
    ]);
  });

  it('given a membership status, when ingested, then SegmentMembershipChanged carries it with a qualification time', async () => {
    const profileId = uniqueId('profile');
    const run = await runCli(['ingest', 'membership', '--profile', profileId, '--audience', 'vip-customers', '--status', 'exited']);
    expect(run.exitCode).toBe(0);
    const [changed] = await ingestStream(profileId);
    expect(changed?.event).toMatchObject({ type: 'SegmentMembershipChanged', data: { profileId, audienceId: 'vip-customers', status: 'exited' } });
  });

  it('given a sample of 3 profiles, when ingested, then each profile stream has identity, attributes and realization', async () => {
    const audienceId = uniqueId('aud');
    const run = await runCli(['ingest', 'sample', '--profiles', '3', '--audience', audienceId, '--json']);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain(`warning: audience '${audienceId}' is not defined yet`);
    const output = JSON.parse(run.stdout) as { profiles: { profileId: string; email: string }[] };
    expect(output.profiles).toHaveLength(3);
    for (const profile of output.profiles) {
      const events = await ingestStream(profile.profileId);
      expect(events.map((stored) => stored.event.type)).toEqual(['IdentitiesLinked', 'ProfileAttributesWritten', 'SegmentMembershipChanged']);
      expect(events[1]!.event.data).toMatchObject({ attributes: { personalEmail: { address: profile.email } } });
      expect(events[2]!.event.data).toMatchObject({ audienceId, status: 'realized' });
    }
  });
});
