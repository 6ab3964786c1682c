import { resolve } from 'node:path';
import type { CliContext, CommandResult } from '../cli/context.ts';
import { ConfigFileError } from '../cli/errors.ts';
import { withStore } from '../cli/store-connection.ts';
import { loadConfigFile } from '../config-file/load-config-file.ts';
import { locateIssue, type Locate } from '../config-file/parse-config-text.ts';
import type { ConfigIssue } from '../config-file/config-issues.ts';
import { planApply, type PlannedChange } from './plan-apply.ts';
import { readCurrentConfig } from './read-current-config.ts';
import { writeChanges } from './write-changes.ts';

/** `spillway apply <file> [--dry-run]`: the whole file is checked before anything is written. */
export async function runApply(context: CliContext, command: { readonly file: string; readonly dryRun: boolean }): Promise<CommandResult> {
  const { config, locate } = await loadConfigFile(resolve(context.cwd, command.file), command.file);
  return withStore(context, async (store) => {
    const current = await readCurrentConfig(store, config);
    const plan = planApply(config, current, context.now());
    if (plan.problems.length > 0) throw new ConfigFileError(command.file, plan.problems.map((issue) => locateIssue(issue, locate)));
    for (const warning of plan.warnings) context.note(`warning: ${issueText(command.file, warning, locate)}`);
    if (!command.dryRun) await writeChanges(store, plan.changes);
    return renderApply(command.file, plan.changes, command.dryRun);
  });
}

function issueText(file: string, issue: ConfigIssue, locate: Locate): string {
  const located = locateIssue(issue, locate);
  return `${file}${located.line === undefined ? '' : `:${located.line}`}: ${located.path}: ${located.message}`;
}

function renderApply(file: string, changes: readonly PlannedChange[], dryRun: boolean): CommandResult {
  const count = (change: PlannedChange['change']) => changes.filter((planned) => planned.change === change).length;
  const summary = { created: count('created'), updated: count('updated'), unchanged: count('unchanged') };
  const text = dryRun ? dryRunText(file, changes, summary) : appliedText(file, changes, summary);
  const json = {
    file,
    dryRun,
    changes: changes.map((planned) => ({
      kind: planned.kind,
      id: planned.id,
      stream: planned.stream,
      change: planned.change,
      written: !dryRun && planned.change !== 'unchanged',
      ...(planned.change === 'unchanged' ? {} : { event: planned.event }),
    })),
    summary,
  };
  return { text, json };
}

type Summary = Readonly<Record<PlannedChange['change'], number>>;

function appliedText(file: string, changes: readonly PlannedChange[], summary: Summary): string[] {
  return [
    ...changes.map((planned) => `${planned.kind} ${planned.id}: ${planned.change}`),
    `${file}: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged`,
  ];
}

function dryRunText(file: string, changes: readonly PlannedChange[], summary: Summary): string[] {
  const lines = [`dry run of ${file}: nothing is written`];
  for (const planned of changes) {
    if (planned.change === 'unchanged') {
      lines.push(`${planned.kind} ${planned.id}: unchanged, nothing to write`);
      continue;
    }
    const verb = planned.change === 'created' ? 'create' : 'update';
    lines.push(`${planned.kind} ${planned.id}: would ${verb}, appending ${planned.event.type} to ${planned.stream}:`);
    lines.push(...JSON.stringify(planned.event.data, null, 2).split('\n').map((line) => `  ${line}`));
  }
  lines.push(`${file}: ${summary.created} to create, ${summary.updated} to update, ${summary.unchanged} unchanged`);
  return lines;
}
