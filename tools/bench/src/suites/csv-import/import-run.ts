import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { onOutputLines } from '@spillway/testing';
import { reapedChildrenCpuSeconds } from '../../measure/process-stats.ts';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const cliMain = join(repoRoot, 'apps', 'cli', 'src', 'main.ts');

/** What the bench reads of `spillway audiences import --json`'s summary. */
const importSummarySchema = z.object({
  outcome: z.enum(['imported', 'already-imported']),
  rows: z.number(),
  members: z.number(),
  written: z.number(),
  unchanged: z.number(),
  exited: z.number(),
  badRows: z.number(),
  maxRssBytes: z.number(),
});
export type ImportSummary = z.infer<typeof importSummarySchema>;

export interface ImportRun {
  readonly summary: ImportSummary;
  readonly wallMs: number;
  /** The CLI process's user + system CPU, all threads. */
  readonly cliCpuSeconds: number;
}

export interface ImportRunOptions {
  readonly connectionString: string;
  readonly file: string;
  readonly audienceId: string;
  readonly concurrency: number;
  /** Told of the CLI's progress (its JSON progress lines), at most every `progressEveryMs`. */
  readonly progress: (line: string) => void;
  readonly progressEveryMs: number;
}

/** The CLI's arguments: identity column and namespace plus two mapped attributes (3 events a row). */
export function importArguments(options: Pick<ImportRunOptions, 'file' | 'audienceId' | 'concurrency'>): string[] {
  return [
    'audiences',
    'import',
    options.file,
    '--id',
    options.audienceId,
    '--name',
    'Bench members',
    '--identity-column',
    'email',
    '--identity-namespace',
    'email',
    '--attribute',
    'first_name=person.name.firstName',
    '--attribute',
    'age=person.age:number',
    '--concurrency',
    String(options.concurrency),
    '--json',
  ];
}

/**
 * Runs the CLI as a user would (its own process, this Node) and waits for its summary. Its CPU is
 * read from this process's reaped-children times (`/proc/self/stat` cutime + cstime), which count
 * a child once it has exited and been waited for: the only moment its whole CPU is known.
 */
export async function runImport(options: ImportRunOptions): Promise<ImportRun> {
  const childrenBefore = await reapedChildrenCpuSeconds();
  const startedAt = performance.now();
  const child = spawn(process.execPath, [cliMain, ...importArguments(options)], {
    cwd: repoRoot,
    env: { ...process.env, EVENTSTORE_CONNECTION_STRING: options.connectionString },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const stderrTail: string[] = [];
  let lastProgressAt = 0;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  onOutputLines(child.stderr, (lines) => {
    stderrTail.push(...lines);
    stderrTail.splice(0, stderrTail.length - 40);
    const line = lines.at(-1) ?? '';
    if (line.startsWith('{"progress"') && performance.now() - lastProgressAt >= options.progressEveryMs) {
      lastProgressAt = performance.now();
      options.progress(line);
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const wallMs = performance.now() - startedAt;
  if (code !== 0) throw new Error(`spillway audiences import exited with ${code}:\n${stderrTail.join('\n')}`);
  const summary = importSummarySchema.parse(JSON.parse(stdout));
  return { summary, wallMs, cliCpuSeconds: (await reapedChildrenCpuSeconds()) - childrenBefore };
}
