import { runScriptToEnd } from '@spillway/testing';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const cliMain = join(repoRoot, 'apps/cli/src/main.ts');

export interface CliRun {
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `spillway <args>` as a real process against `connectionString`. */
export async function runCli(connectionString: string, args: readonly string[]): Promise<CliRun> {
  const run = await runScriptToEnd(cliMain, args, { cwd: repoRoot, env: { ...process.env, EVENTSTORE_CONNECTION_STRING: connectionString } });
  return { args, ...run };
}

/** Like runCli, but a non-zero exit is an error carrying the CLI's output. */
export async function runCliOk(connectionString: string, args: readonly string[]): Promise<CliRun> {
  const run = await runCli(connectionString, args);
  if (run.exitCode !== 0) throw new Error(`spillway ${args.join(' ')} exited ${run.exitCode}\n${run.stdout}${run.stderr}`);
  return run;
}

/** Writes `text` to `name` in a new temporary directory and returns the path. */
export async function writeTempFile(name: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'spillway-e2e-')), name);
  await writeFile(path, text);
  return path;
}
