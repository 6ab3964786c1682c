import { spawn } from 'node:child_process';
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
export function runCli(connectionString: string, args: readonly string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [cliMain, ...args], {
    cwd: repoRoot,
    env: { ...process.env, EVENTSTORE_CONNECTION_STRING: connectionString },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ args, exitCode, stdout, stderr }));
  });
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
