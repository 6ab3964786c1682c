#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { defaultConnectionString } from '@spillway/event-streams';
import { createLogger } from '@spillway/runtime';
import type { Invocation } from './cli/command.ts';
import type { CliContext } from './cli/context.ts';
import { parseCommandLine } from './cli/parse-command-line.ts';
import { describeFailure } from './cli/report-failure.ts';
import { runCommand } from './cli/run-command.ts';

// The only place that reads argv, the environment, the clock and randomness.
const argv = process.argv.slice(2);

function contextFor(invocation: Invocation): CliContext {
  return {
    connectionString: invocation.globals.connection || process.env['EVENTSTORE_CONNECTION_STRING'] || defaultConnectionString,
    output: invocation.globals.output,
    verbose: invocation.globals.verbose,
    logger: createLogger({ service: 'spillway-cli', level: invocation.globals.verbose ? 'debug' : 'warn' }),
    cwd: process.cwd(),
    now: () => Date.now(),
    random: Math.random,
    newId: randomUUID,
    note: (text) => process.stderr.write(`spillway: ${text}\n`),
  };
}

/** Exits once stdout has taken everything (a pipe may still hold it otherwise). */
function finish(stdout: string, exitCode: number): void {
  if (stdout === '') process.exit(exitCode);
  process.stdout.write(stdout, () => process.exit(exitCode));
}

function fail(error: unknown, invocation: Invocation | undefined): void {
  const verbose = invocation?.globals.verbose ?? argv.includes('--verbose');
  const json = invocation ? invocation.globals.output === 'json' : argv.includes('--json');
  const report = describeFailure(error);
  if (json) process.stderr.write(`${JSON.stringify(report.json)}\n`);
  else for (const line of report.lines) process.stderr.write(`spillway: ${line}\n`);
  if (verbose && error instanceof Error) process.stderr.write(`${error.stack ?? error.message}\n`);
  finish('', report.exitCode);
}

let invocation: Invocation | undefined;
try {
  invocation = parseCommandLine(argv);
  const result = await runCommand(contextFor(invocation), invocation.command);
  finish(invocation.globals.output === 'json' ? `${JSON.stringify(result.json, null, 2)}\n` : result.text.map((line) => `${line}\n`).join(''), 0);
} catch (error) {
  fail(error, invocation);
}
