import { refusedAddress } from '@spillway/testing';
import { describe, expect, it } from 'vitest';
import { runCli, writeTempFile } from '../testing/cli-process.ts';

describe('spillway when the store cannot be reached', () => {
  it('given a store that does not answer, when a command needs it, then one line names the connection string with a hint, exit code 2', async () => {
    const { host, port } = await refusedAddress();
    const connection = `esdb://${host}:${port}?tls=false`;
    const run = await runCli(['dataflows', 'list'], { EVENTSTORE_CONNECTION_STRING: connection });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`spillway: cannot reach the event store at ${connection} (connection refused)`);
    expect(lines[0]).toContain("is it running? Start it with 'npm start'");
  });

  it('given --connection, then it overrides the environment, and credentials in it are masked', async () => {
    const { host, port } = await refusedAddress();
    const connection = `esdb://admin:changeit@${host}:${port}?tls=false`;
    const run = await runCli(['--json', 'destinations', 'list', '--connection', connection]);
    expect(run.exitCode).toBe(2);
    const error = (JSON.parse(run.stderr) as { error: { type: string; connection: string } }).error;
    expect(error.type).toBe('store-unreachable');
    expect(error.connection).toBe(connection.replace('admin:changeit', '***'));
    expect(run.stderr).not.toContain('changeit');
  });

  it('given a config file with a mistake, then it is reported without the store being needed', async () => {
    const file = await writeTempFile('bad.yaml', 'destinations:\n  - id: x\n');
    const { host, port } = await refusedAddress();
    const run = await runCli(['apply', file], { EVENTSTORE_CONNECTION_STRING: `esdb://${host}:${port}?tls=false` });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${file}:2: destinations[0].name: is required`);
  });
});
