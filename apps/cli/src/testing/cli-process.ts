import { runScriptToEnd } from '@spillway/testing';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectEventStore, type EventStore } from '@spillway/event-streams';
import { createLogger } from '@spillway/runtime';
import { inject } from 'vitest';

const cliMain = fileURLToPath(new URL('../main.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export interface CliRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `spillway <args>` as a real process against the suite's store (or `env` overrides). */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliRun> {
  return runScriptToEnd(cliMain, args, { cwd: repoRoot, env: { ...process.env, EVENTSTORE_CONNECTION_STRING: inject('eventstoreConnectionString'), ...env } });
}

/** A fresh id prefix: the store is shared by every test of the run (and earlier runs against an external store). */
export const uniqueId = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

/** Writes `text` to a new temporary file with that name and returns its path. */
export async function writeTempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'spillway-cli-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The real client, to check what the CLI actually wrote. */
export function connectForTest(): Promise<EventStore> {
  const logger = createLogger({ service: 'cli-test', level: 'error' });
  return connectEventStore(inject('eventstoreConnectionString'), { logger, connectTimeoutMs: 10_000 });
}
