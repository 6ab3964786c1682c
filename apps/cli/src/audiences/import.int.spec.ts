import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { EventStore } from '@spillway/event-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEventCatalog } from '../config-streams/public-catalogs.ts';
import { connectForTest, runCli, uniqueId, writeTempFile } from '../testing/cli-process.ts';

let store: EventStore;
beforeAll(async () => {
  store = await connectForTest();
});
afterAll(async () => {
  await store.close();
});

const header = 'customer_id,first_name,age,note';
const row = (profileId: string, index: number) => `${profileId},"Name ${index}",${20 + (index % 50)},"likes ""quotes"", commas\nand newlines"`;

/** Every ingest event of these profiles (read stream by stream, 32 at a time). */
async function ingestEventsOf(profileIds: readonly string[]) {
  const all: { profileId: string; type: string; status?: string }[] = [];
  for (let start = 0; start < profileIds.length; start += 32) {
    const batch = profileIds.slice(start, start + 32);
    const streams = await Promise.all(batch.map((id) => store.readStreamEvents(`ingest-${id}`, ingestEventCatalog)));
    streams.forEach((events, index) => {
      for (const { event } of events) {
        all.push({ profileId: batch[index]!, type: event.type, ...(event.type === 'SegmentMembershipChanged' ? { status: event.data.status } : {}) });
      }
    });
  }
  return all;
}

const importArgs = (file: string, audienceId: string) => [
  'audiences', 'import', file, '--id', audienceId, '--name', 'Uploaded customers', '--identity-column', 'customer_id',
  '--identity-namespace', 'crm', '--attribute', 'first_name=person.name.firstName', '--attribute', 'age=person.age:number',
];

describe('spillway audiences import', () => {
  const audienceId = uniqueId('upload');
  const prefix = uniqueId('cust');
  const profileIds = Array.from({ length: 1000 }, (_, index) => `${prefix}-${index}`);
  const badIndexes = [10, 500, 999];
  const rows = profileIds.map((id, index) => {
    if (index === 10) return `${id},"Name",30`; // a column missing
    if (index === 500) return ` ,"Name",30,x`; // no identity
    if (index === 999) return `${id},"Name",thirty,x`; // not a number
    return row(id, index);
  });
  const goodIds = profileIds.filter((_, index) => !badIndexes.includes(index));
  // Good rows span two lines (a quoted newline), bad ones one; the header is line 1.
  const lineOf = (index: number) => 2 + rows.slice(0, index).reduce((lines, text) => lines + text.split('\n').length, 0);

  it('given 1,000 rows with 3 bad ones, when imported, then 997 profiles are realized and the bad rows are named by line', async () => {
    const file = await writeTempFile('customers.csv', `\uFEFF${header}\r\n${rows.join('\r\n')}\r\n`);
    const run = await runCli([...importArgs(file, audienceId), '--json']);
    expect(run.exitCode).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ outcome: 'imported', rows: 1000, members: 997, written: 997, exited: 0, badRows: 3 });
    expect([lineOf(10), lineOf(500), lineOf(999)]).toEqual([22, 1001, 1998]);
    expect(summary['firstBadRows']).toEqual([
      { line: lineOf(10), reason: '3 columns, the header has 4' },
      { line: lineOf(500), reason: 'the identity is empty' },
      { line: lineOf(999), reason: "age: 'thirty' is not a number" },
    ]);
    const events = await ingestEventsOf(profileIds);
    const realized = events.filter((e) => e.type === 'SegmentMembershipChanged' && e.status === 'realized');
    expect(new Set(realized.map((e) => e.profileId))).toEqual(new Set(goodIds));
    expect(realized).toHaveLength(997);
    expect(events.filter((e) => e.type === 'ProfileAttributesWritten')).toHaveLength(997);
    expect(events.filter((e) => e.type === 'IdentitiesLinked')).toHaveLength(997);
    const [first] = await store.readStreamEvents(`ingest-${profileIds[0]}`, ingestEventCatalog);
    expect(first?.event).toEqual({ type: 'IdentitiesLinked', data: { profileId: profileIds[0], identities: { crm: [{ id: profileIds[0] }] } } });
    // Progress went to stderr as JSON lines (not a terminal), the last one 'done'.
    const progress = run.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(progress.at(-1)).toMatchObject({ progress: 'done', rowsRead: 1000, written: 997, bad: 3, percentOfFile: 100 });
  });
});
