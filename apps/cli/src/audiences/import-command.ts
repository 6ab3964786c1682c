import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { deterministicEventId, type EventStore, type EventToAppend } from '@spillway/event-streams';
import { audienceStreamName, ingestStreamName, publicEvent } from '@spillway/xdm';
import type { CliContext, CommandResult } from '../cli/context.ts';
import { UsageError } from '../cli/errors.ts';
import { withStore } from '../cli/store-connection.ts';
import { audienceEvents, ingestEventCatalog } from '../config-streams/public-catalogs.ts';
import { readCurrent } from '@spillway/event-streams';
import { nextAudienceDefinition } from './audience-definition.ts';
import { AppendPool } from './import-append-pool.ts';
import { csvRecordsOf, fingerprintFile } from './import-file.ts';
import { ImportHistoryWriter, readImportMembers, readPreviousImport, type ImportSummary, type PreviousImport } from './import-history.ts';
import { ImportProgress, type ImportCounts } from './import-progress.ts';
import { columnLayout, readRow, type AttributeMapping, type BadRow, type ColumnLayout, type MemberRow } from './import-rows.ts';

export interface ImportAudience {
  readonly file: string;
  readonly audienceId: string;
  readonly audienceName: string;
  readonly mergePolicyId: string;
  readonly identityColumn: string | undefined;
  readonly identityNamespace: string | undefined;
  readonly attributes: readonly AttributeMapping[];
  readonly concurrency: number;
}

const badRowsListed = 20;
type IngestEvent = EventToAppend<typeof ingestEventCatalog>;

/**
 * `spillway audiences import`: defines the audience (origin custom-upload), then streams the file
 * and writes each member's events to `ingest-<profileId>` (profileId = the identity cell). Event
 * ids are derived from (audience, import generation, profile, row hash), so a rerun of the same
 * import appends nothing new. Rows unchanged since the last completed import are not written
 * again; members of that import missing from this file are exited.
 */
export async function runImportAudience(context: CliContext, command: ImportAudience): Promise<CommandResult> {
  const path = resolve(context.cwd, command.file);
  const fingerprint = await fingerprintFile(path);
  const importKey = sha256([fingerprint.sha256, command.identityColumn ?? '', command.identityNamespace ?? '', JSON.stringify(command.attributes)]);
  return withStore(context, async (store) => {
    const definition = await defineAudience(context, store, command);
    const previous = await readPreviousImport(store, command.audienceId);
    if (previous?.summary.importKey === importKey) return alreadyImported(command, previous.summary, definition);
    const generation = sha256([previous?.summary.generation ?? '', importKey]);
    const summary = await importRows(context, store, command, { path, size: fingerprint.size, sha256: fingerprint.sha256, importKey, generation }, previous);
    return report(summary, definition, 'imported');
  });
}

async function defineAudience(context: CliContext, store: EventStore, command: ImportAudience): Promise<string> {
  const stream = audienceStreamName(command.audienceId);
  const { latest, revision } = await readCurrent(store, stream, audienceEvents);
  if (latest && latest.event.data.origin !== 'custom-upload') {
    throw new UsageError(`audience '${command.audienceId}' comes from segmentation; a CSV can only be imported into a custom-upload audience`, 'audiences import');
  }
  const desired = { audienceId: command.audienceId, name: command.audienceName, mergePolicyId: command.mergePolicyId, origin: 'custom-upload' as const };
  const next = nextAudienceDefinition(latest?.event.data, desired, context.now());
  if (next.change !== 'unchanged') {
    await store.appendEvents(stream, audienceEvents, [publicEvent('AudienceDefined', next.definition)], { expectedRevision: revision });
  }
  return next.change;
}

interface ImportPlan {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly importKey: string;
  readonly generation: string;
}

async function importRows(context: CliContext, store: EventStore, command: ImportAudience, plan: ImportPlan, previous: PreviousImport | undefined): Promise<ImportSummary> {
  const startedAt = new Date(context.now()).toISOString();
  const counts: ImportCounts = { rowsRead: 0, written: 0, unchanged: 0, bad: 0, exited: 0, bytesRead: 0 };
  const firstBadRows: { line: number; reason: string }[] = [];
  const history = new ImportHistoryWriter(store, command.audienceId, plan.generation, context.newId);
  const pool = new AppendPool(command.concurrency);
  const progress = new ImportProgress({ totalBytes: plan.size, now: context.now, tty: process.stderr.isTTY === true, write: (text) => process.stderr.write(text) });
  const previousMembers = previous ? await readImportMembers(store, previous) : new Map<string, string>();
  const ids = (profileId: string, ...rest: string[]) => (type: string) => deterministicEventId('audience-import', command.audienceId, plan.generation, profileId, ...rest, type);
  const fileName = basename(plan.path);
  const file = csvRecordsOf(plan.path);
  let layout: ColumnLayout | undefined;

  for await (const record of file.records) {
    if (layout === undefined) {
      const found = columnLayout(record.fields, command.identityColumn, command.attributes);
      if (typeof found === 'string') throw new UsageError(`${plan.path}: ${found}`, 'audiences import');
      layout = found;
      await history.started({ audienceId: command.audienceId, importKey: plan.importKey, generation: plan.generation, fileName, fileSha256: plan.sha256, startedAt });
      continue;
    }
    counts.rowsRead++;
    const row = readRow(record, layout);
    if (row.kind === 'bad') {
      noteBadRow(counts, firstBadRows, row);
    } else {
      const before = previousMembers.get(row.profileId);
      previousMembers.delete(row.profileId);
      await history.member(row.profileId, row.rowHash);
      if (before === row.rowHash) counts.unchanged++;
      else await pool.run(() => appendMember(store, command, row, ids(row.profileId, row.rowHash), startedAt).then(() => void counts.written++));
    }
    counts.bytesRead = file.bytesRead();
    progress.update(counts);
  }
  if (layout === undefined) throw new UsageError(`${plan.path} is empty: it needs a header line naming the columns`, 'audiences import');

  // Whoever was in the last import and is not in this file leaves the audience.
  for (const profileId of previousMembers.keys()) {
    const event = publicEvent('SegmentMembershipChanged', { profileId, audienceId: command.audienceId, status: 'exited', lastQualificationTime: startedAt });
    await pool.run(() => append(store, profileId, [{ ...event, id: ids(profileId)('exited') }]).then(() => void counts.exited++));
    progress.update(counts);
  }
  await pool.drain();
  counts.bytesRead = plan.size;
  progress.finish(counts);
  const members = counts.written + counts.unchanged;
  const summary: ImportSummary = {
    audienceId: command.audienceId,
    importKey: plan.importKey,
    generation: plan.generation,
    fileName,
    fileSha256: plan.sha256,
    rows: counts.rowsRead,
    members,
    written: counts.written,
    unchanged: counts.unchanged,
    exited: counts.exited,
    badRows: counts.bad,
    firstBadRows,
    completedAt: new Date(context.now()).toISOString(),
  };
  await history.completed(summary);
  return summary;
}

function noteBadRow(counts: ImportCounts, firstBadRows: { line: number; reason: string }[], row: BadRow): void {
  counts.bad++;
  if (firstBadRows.length < badRowsListed) firstBadRows.push({ line: row.line, reason: row.reason });
}

function appendMember(store: EventStore, command: ImportAudience, row: MemberRow, idFor: (type: string) => string, at: string): Promise<void> {
  const events: IngestEvent[] = [];
  if (command.identityNamespace !== undefined) {
    events.push({ ...publicEvent('IdentitiesLinked', { profileId: row.profileId, identities: { [command.identityNamespace]: [{ id: row.profileId }] } }), id: idFor('identities') });
  }
  if (row.attributes !== undefined) {
    events.push({ ...publicEvent('ProfileAttributesWritten', { profileId: row.profileId, attributes: row.attributes, writtenAt: at }), id: idFor('attributes') });
  }
  const membership = publicEvent('SegmentMembershipChanged', { profileId: row.profileId, audienceId: command.audienceId, status: 'realized', lastQualificationTime: at });
  events.push({ ...membership, id: idFor('realized') });
  return append(store, row.profileId, events);
}

async function append(store: EventStore, profileId: string, events: readonly IngestEvent[]): Promise<void> {
  await store.appendEvents(ingestStreamName(profileId), ingestEventCatalog, events);
}

function alreadyImported(command: ImportAudience, summary: ImportSummary, definition: string): CommandResult {
  return report({ ...summary, written: 0, unchanged: summary.members, exited: 0 }, definition, 'already-imported');
}

function report(summary: ImportSummary, definition: string, outcome: 'imported' | 'already-imported'): CommandResult {
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  const head =
    outcome === 'already-imported'
      ? `audience ${summary.audienceId}: ${summary.fileName} was already imported (${summary.completedAt}); nothing written`
      : `audience ${summary.audienceId}: ${summary.rows} rows, ${summary.members} members (${summary.written} written, ${summary.unchanged} unchanged), ${summary.exited} exited, ${summary.badRows} bad rows`;
  const bad = summary.firstBadRows.map((row) => `  line ${row.line}: ${row.reason}`);
  const more = summary.badRows > summary.firstBadRows.length ? [`  ... and ${summary.badRows - summary.firstBadRows.length} more bad rows`] : [];
  return {
    text: [head, ...(summary.badRows > 0 ? [`bad rows (${summary.badRows}, not imported):`, ...bad, ...more] : [])],
    json: { kind: 'audience-import', outcome, audienceDefinition: definition, ...summary, maxRssBytes },
  };
}

function sha256(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u001f')).digest('hex');
}
