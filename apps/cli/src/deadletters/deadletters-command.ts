import { readDeadLetters, replayDeadLetters, type DeadLetterFilters } from '@spillway/dataflow-status';
import { z } from 'zod';
import type { CliContext, CommandResult } from '../cli/context.ts';
import { NotFoundError, UsageError } from '../cli/errors.ts';
import { withStore } from '../cli/store-connection.ts';
import { filterFields, filterOptions, filtersOf } from './dead-letter-selection.ts';
import { deadLetterDetail, deadLetterLine, deadLetterSummary } from './format-dead-letter.ts';
import { ReplayProgress } from './replay-progress.ts';

const filterUsage = '[--dataflow <id>] [--profile <id>] [--status <503|5xx|ECONNREFUSED>] [--since <time>] [--until <time>]';

export const deadLettersListSpec = {
  name: 'deadletters list',
  usage: `spillway deadletters list ${filterUsage}`,
  summary: 'list the exports given up (dead letters), oldest first, each marked when replayed',
  options: filterOptions,
  positionals: [],
  schema: z.object(filterFields).transform((v) => ({ name: 'deadletters list' as const, filters: filtersOf(v) })),
} as const;

export const deadLettersShowSpec = {
  name: 'deadletters show',
  usage: 'spillway deadletters show <exportId>',
  summary: 'one dead letter: the request (secrets redacted), the document, every attempt',
  options: {},
  positionals: ['exportId'],
  schema: z.object({ exportId: z.uuid({ error: 'must be an export id (a UUID)' }) }).transform((v) => ({ name: 'deadletters show' as const, exportId: v.exportId })),
} as const;

export const deadLettersReplaySpec = {
  name: 'deadletters replay',
  usage: `spillway deadletters replay ${filterUsage} [--export <exportId>] [--all]`,
  summary:
    'send the selected dead letters again through the agent, skipping those replayed already (ordering rules apply: an older state than one delivered is superseded)',
  options: { ...filterOptions, export: { type: 'string' }, all: { type: 'boolean' } },
  positionals: [],
  schema: z
    .object({ ...filterFields, export: z.uuid({ error: 'must be an export id (a UUID)' }).optional(), all: z.boolean().default(false) })
    .transform((v) => ({ name: 'deadletters replay' as const, filters: filtersOf(v), exportId: v.export, all: v.all })),
} as const;

export interface ReplayRequest {
  readonly filters: DeadLetterFilters;
  readonly exportId: string | undefined;
  readonly all: boolean;
}

export function runListDeadLetters(context: CliContext, filters: DeadLetterFilters): Promise<CommandResult> {
  return withStore(context, async (store) => {
    const deadLetters = await readDeadLetters(store, filters);
    const text = deadLetters.length === 0 ? ['no dead letters match'] : deadLetters.map(deadLetterLine);
    return { text, json: { deadLetters: deadLetters.map(deadLetterSummary) } };
  });
}

export function runShowDeadLetter(context: CliContext, exportId: string): Promise<CommandResult> {
  return withStore(context, async (store) => {
    const deadLetters = (await readDeadLetters(store, {})).filter((deadLetter) => deadLetter.exportId === exportId);
    if (deadLetters.length === 0) throw new NotFoundError('export', exportId, 'has no dead letter');
    return { text: deadLetters.flatMap((deadLetter, index) => [...(index > 0 ? [''] : []), ...deadLetterDetail(deadLetter)]), json: { deadLetters } };
  });
}

/** Per selected dead letter not replayed yet: `ExportReplayRequested` in its `exports-` stream, `DeadLetterReplayed` in its `deadletters-` stream. */
export function runReplayDeadLetters(context: CliContext, request: ReplayRequest): Promise<CommandResult> {
  const noFilter = Object.keys(request.filters).length === 0 && request.exportId === undefined;
  if (noFilter && !request.all) throw new UsageError('name what to replay (a filter or --export), or --all for every dead letter', 'deadletters replay');
  return withStore(context, async (store) => {
    const selected = (await readDeadLetters(store, request.filters)).filter((deadLetter) => request.exportId === undefined || deadLetter.exportId === request.exportId);
    const toReplay = selected.filter((deadLetter) => deadLetter.replayed === undefined).length;
    const progress = new ReplayProgress({ total: toReplay, now: context.now, tty: process.stderr.isTTY === true, write: (text) => process.stderr.write(text) });
    const { replays, alreadyReplayed } = await replayDeadLetters(store, selected, {
      newId: context.newId,
      now: () => new Date(context.now()),
      onReplayed: (done) => progress.update(done),
    });
    progress.finish(replays.length);
    const skipped = alreadyReplayed.length === 0 ? '' : ` (${alreadyReplayed.length} replayed already, left alone)`;
    const text = [`${replays.length} dead letter${replays.length === 1 ? '' : 's'} queued for replay${skipped}`];
    return { text, json: { replayed: replays.length, replays, alreadyReplayed } };
  });
}
