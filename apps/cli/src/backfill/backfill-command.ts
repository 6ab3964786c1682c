import type { BackfillStatus } from '@spillway/pipeline-events';
import { idSchema } from '@spillway/xdm';
import { z } from 'zod';
import type { CliContext, CommandResult } from '../cli/context.ts';
import { withStore } from '../cli/store-connection.ts';
import { backfillLine, readBackfills } from './backfill-status.ts';

export interface BackfillStatusRequest {
  readonly dataflowId: string;
  /** Redraw until every backfill is completed. */
  readonly watch: boolean;
  readonly intervalMs: number;
}

export const backfillStatusSpec = {
  name: 'backfill status',
  usage: 'spillway backfill status <dataflowId> [--watch] [--interval <seconds>]',
  summary: "a dataflow's historical backfills: scanned, exported, how far, rate (--watch: a progress bar until done)",
  options: { watch: { type: 'boolean' }, interval: { type: 'string' } },
  positionals: ['dataflowId'],
  schema: z
    .object({
      dataflowId: idSchema,
      watch: z.boolean().default(false),
      interval: z.coerce.number({ error: 'must be a number of seconds' }).positive({ error: 'must be more than 0' }).max(60, { error: 'must be at most 60' }).default(1),
    })
    .transform((v) => ({ name: 'backfill status' as const, dataflowId: v.dataflowId, watch: v.watch, intervalMs: Math.round(v.interval * 1000) })),
} as const;

const linesOf = (dataflowId: string, statuses: readonly BackfillStatus[]) =>
  statuses.length === 0 ? [`no backfills for dataflow ${dataflowId} (none was asked for: it maps no audience yet, or the decider has not seen it)`] : statuses.map(backfillLine);

/** `backfill status <dataflowId> [--watch]`: the backfills of a dataflow; with --watch, redrawn on stderr until all are completed. */
export function runBackfillStatus(context: CliContext, request: BackfillStatusRequest): Promise<CommandResult> {
  return withStore(context, async (store) => {
    let statuses = await readBackfills(store, request.dataflowId);
    if (request.watch) {
      const tty = process.stderr.isTTY === true;
      let drawn = 0;
      while (statuses.some((status) => status.state === 'running')) {
        const lines = linesOf(request.dataflowId, statuses);
        // On a terminal the lines are redrawn in place; otherwise each refresh is appended.
        process.stderr.write(`${tty && drawn > 0 ? `\u001b[${drawn}A` : ''}${lines.map((line) => `${tty ? '\u001b[2K' : ''}${line}\n`).join('')}`);
        drawn = lines.length;
        await new Promise((resolve) => setTimeout(resolve, request.intervalMs));
        statuses = await readBackfills(store, request.dataflowId);
      }
      if (tty && drawn > 0) process.stderr.write(`\u001b[${drawn}A\u001b[J`);
    }
    return { text: linesOf(request.dataflowId, statuses), json: { dataflowId: request.dataflowId, backfills: statuses } };
  });
}
