import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.ts';
import { parseCommandLine } from './parse-command-line.ts';
import { describeFailure } from './report-failure.ts';

function usageErrorOf(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) return describeFailure(error).lines.join('\n');
    throw error;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('the spillway command line', () => {
  it('reads apply with its file and --dry-run', () => {
    expect(parseCommandLine(['apply', 'examples/spillway.yaml', '--dry-run'])).toEqual({
      command: { name: 'apply', file: 'examples/spillway.yaml', dryRun: true },
      globals: { connection: undefined, output: 'text', verbose: false },
    });
  });

  it('reads global options before or after the command', () => {
    const before = parseCommandLine(['--connection', 'esdb://store:2113?tls=false', '--json', 'dataflows', 'list']);
    const after = parseCommandLine(['dataflows', 'list', '--connection=esdb://store:2113?tls=false', '--output', 'json']);
    expect(before).toEqual(after);
    expect(before.globals).toEqual({ connection: 'esdb://store:2113?tls=false', output: 'json', verbose: false });
  });

  it('reads audiences define with the default origin', () => {
    expect(parseCommandLine(['audiences', 'define', '--id', 'vip', '--name', 'VIP customers', '--merge-policy', 'default']).command).toEqual({
      name: 'audiences define',
      audienceId: 'vip',
      audienceName: 'VIP customers',
      mergePolicyId: 'default',
      origin: 'segmentation',
    });
  });

  it('gives ingest attributes its own --json (the partial XDM), while --output json still selects JSON output', () => {
    const invocation = parseCommandLine(['ingest', 'attributes', '--profile', 'p1', '--json', '{"a":1}', '--output', 'json']);
    expect(invocation.command).toEqual({ name: 'ingest attributes', profileId: 'p1', attributesJson: '{"a":1}' });
    expect(invocation.globals.output).toBe('json');
  });

  it('reads the other ingest commands', () => {
    expect(parseCommandLine(['ingest', 'identities', '--profile', 'p1', '--namespace', 'ecid', '--id', '123', '--unlink']).command).toEqual({
      name: 'ingest identities',
      profileId: 'p1',
      namespace: 'ecid',
      id: '123',
      unlink: true,
    });
    expect(parseCommandLine(['ingest', 'membership', '--profile', 'p1', '--audience', 'vip', '--status', 'exited']).command).toMatchObject({ status: 'exited' });
    expect(parseCommandLine(['ingest', 'sample']).command).toEqual({ name: 'ingest sample', profiles: 1, audienceId: 'vip-customers' });
    expect(parseCommandLine(['ingest', 'sample', '--profiles', '25', '--audience', 'gold']).command).toEqual({ name: 'ingest sample', profiles: 25, audienceId: 'gold' });
  });

  it('reads show commands with their id', () => {
    expect(parseCommandLine(['dataflows', 'show', 'vip-flow']).command).toEqual({ name: 'dataflows show', dataflowId: 'vip-flow' });
    expect(parseCommandLine(['destinations', 'show', 'shop', '--json']).command).toEqual({ name: 'destinations show', destinationId: 'shop' });
  });

  it('answers help in every form', () => {
    expect(parseCommandLine(['--help']).command).toEqual({ name: 'help', topic: undefined });
    expect(parseCommandLine(['help', 'ingest']).command).toEqual({ name: 'help', topic: 'ingest' });
    expect(parseCommandLine(['ingest', '--help']).command).toEqual({ name: 'help', topic: 'ingest' });
    expect(parseCommandLine(['apply', '-h']).command).toEqual({ name: 'help', topic: 'apply' });
  });

  it.each([
    [[], "no command given; see 'spillway --help'"],
    [['deploy'], "unknown command 'deploy'; see 'spillway --help'"],
    [['dataflows', 'delete', 'x'], "unknown dataflows command 'delete'; expected one of list, show; see 'spillway --help'"],
    [['apply'], "<file> is required; see 'spillway apply --help'"],
    [['apply', 'a.yaml', 'b.yaml'], "unexpected argument 'b.yaml'; see 'spillway apply --help'"],
    [['ingest', 'membership', '--profile', 'p1', '--audience', 'vip'], "--status is required; see 'spillway ingest membership --help'"],
    [['ingest', 'membership', '--profile', 'p1', '--audience', 'vip', '--status', 'gone'], "--status must be 'realized' or 'exited'"],
    [['ingest', 'sample', '--profiles', 'many'], '--profiles must be a number'],
    [['ingest', 'sample', '--profiles', '0'], '--profiles must be at least 1'],
    [['ingest', 'identities', '--profile', 'has space', '--namespace', 'ecid', '--id', '1'], '--profile must not contain whitespace or control characters'],
    [['audiences', 'define', '--id', 'vip', '--name', 'VIP', '--merge-policy', 'default', '--origin', 'csv'], "--origin must be 'segmentation' or 'custom-upload'"],
    [['destinations', 'list', '--bogus'], "unknown option '--bogus'; see 'spillway destinations list --help'"],
    [['dataflows', 'list', '--output', 'yaml'], "--output must be 'text' or 'json'"],
  ])('refuses %j with one line naming what is wrong', (argv, line) => {
    const message = usageErrorOf(argv);
    expect(message).toContain(line);
    expect(message.split('\n')).toHaveLength(1);
  });
});
