import { defineEvents, eachStreamEventBackwards, type EventStore } from '@spillway/event-streams';
import { idSchema } from '@spillway/xdm';
import { z } from 'zod';

/**
 * Internal stream of one audience's CSV imports: each import's Started, its members in chunks
 * ([profileId, rowHash] pairs) and Completed. The member set of the last completed import is
 * what the next import diffs against (who exits, which rows are unchanged). Not `audience-...`:
 * that category is the public audience definition stream.
 */
export const audienceImportStreamName = (audienceId: string): string => `spillway-audience-import-${audienceId}`;

const badRowSchema = z.object({ line: z.number().int(), reason: z.string() });

const startedSchema = z.object({
  audienceId: idSchema,
  importKey: z.string(),
  generation: z.string(),
  fileName: z.string(),
  fileSha256: z.string(),
  startedAt: z.string(),
});

const membersSchema = z.object({
  generation: z.string(),
  members: z.array(z.tuple([z.string(), z.string()])),
});

export const importSummarySchema = z.object({
  audienceId: idSchema,
  importKey: z.string(),
  generation: z.string(),
  fileName: z.string(),
  fileSha256: z.string(),
  rows: z.number().int(),
  members: z.number().int(),
  written: z.number().int(),
  unchanged: z.number().int(),
  exited: z.number().int(),
  badRows: z.number().int(),
  firstBadRows: z.array(badRowSchema),
  completedAt: z.string(),
});

export type ImportSummary = z.infer<typeof importSummarySchema>;
export type ImportStarted = z.infer<typeof startedSchema>;

export const audienceImportEvents = defineEvents(
  { AudienceImportStarted: startedSchema, AudienceImportMembers: membersSchema, AudienceImportCompleted: importSummarySchema },
  { unknownTypes: 'ignore' },
);

export interface PreviousImport {
  readonly summary: ImportSummary;
  /** The revision of its Completed event: its members are before it. */
  readonly revision: bigint;
}

const pageSize = 50;

/** The last completed import of the audience (read backwards from the end), undefined before the first. */
export async function readPreviousImport(store: EventStore, audienceId: string): Promise<PreviousImport | undefined> {
  for await (const stored of eachStreamEventBackwards(store, audienceImportStreamName(audienceId), audienceImportEvents, { pageSize })) {
    if (stored.event.type === 'AudienceImportCompleted') return { summary: stored.event.data, revision: stored.revision };
  }
  return undefined;
}

/** profileId -> rowHash of every member of that import: O(members) memory (measured below in the README). */
export async function readImportMembers(store: EventStore, previous: PreviousImport): Promise<Map<string, string>> {
  const members = new Map<string, string>();
  const { generation } = previous.summary;
  for await (const { event } of eachStreamEventBackwards(store, audienceImportStreamName(previous.summary.audienceId), audienceImportEvents, { from: previous.revision, pageSize })) {
    if (event.type === 'AudienceImportStarted' && event.data.generation === generation) break;
    if (event.type === 'AudienceImportMembers' && event.data.generation === generation) {
      for (const [profileId, rowHash] of event.data.members) members.set(profileId, rowHash);
    }
  }
  return members;
}

/** Appends history events; random ids, so a rerun of an interrupted import records its members again in full. */
export class ImportHistoryWriter {
  private readonly stream: string;
  private readonly store: EventStore;
  private readonly newId: () => string;
  private readonly generation: string;
  private readonly chunkSize: number;
  private chunk: [string, string][] = [];

  constructor(store: EventStore, audienceId: string, generation: string, newId: () => string, chunkSize = 2_000) {
    this.store = store;
    this.stream = audienceImportStreamName(audienceId);
    this.generation = generation;
    this.newId = newId;
    this.chunkSize = chunkSize;
  }

  async started(data: ImportStarted): Promise<void> {
    await this.store.appendEvents(this.stream, audienceImportEvents, [{ type: 'AudienceImportStarted', data, id: this.newId() }]);
  }

  /** Adds a member; resolves after a full chunk was appended (the caller's backpressure). */
  async member(profileId: string, rowHash: string): Promise<void> {
    this.chunk.push([profileId, rowHash]);
    if (this.chunk.length >= this.chunkSize) await this.flush();
  }

  async completed(summary: ImportSummary): Promise<void> {
    await this.flush();
    await this.store.appendEvents(this.stream, audienceImportEvents, [{ type: 'AudienceImportCompleted', data: summary, id: this.newId() }]);
  }

  private async flush(): Promise<void> {
    if (this.chunk.length === 0) return;
    const members = this.chunk;
    this.chunk = [];
    await this.store.appendEvents(this.stream, audienceImportEvents, [
      { type: 'AudienceImportMembers', data: { generation: this.generation, members }, id: this.newId() },
    ]);
  }
}
