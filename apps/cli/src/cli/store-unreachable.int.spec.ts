import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli, writeTempFile } from '../testing/cli-process.ts';

/** A loopback port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('spillway when the store cannot be reached', () => {
  it('given a store that does not answer, when a command needs it, then one line names the connection string with a hint, exit code 2', async () => {
    const connection = `esdb://127.0.0.1:${await closedPort()}?tls=false`;
    const run = await runCli(['dataflows', 'list'], { EVENTSTORE_CONNECTION_STRING: connection });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`spillway: cannot reach the event store at ${connection} (connection refused)`);
    expect(lines[0]).toContain("is it running? Start it with 'npm start'");
  });

  it('given --connection, then it overrides the environment, and credentials in it are masked', async () => {
    const connection = `esdb://admin:changeit@127.0.0.1:${await closedPort()}?tls=false`;
    const run = await runCli(['--json', 'destinations', 'list', '--connection', connection]);
    expect(run.exitCode).toBe(2);
    const error = (JSON.parse(run.stderr) as { error: { type: string; connection: string } }).error;
    expect(error.type).toBe('store-unreachable');
    expect(error.connection).toBe(connection.replace('admin:changeit', '***'));
    expect(run.stderr).not.toContain('changeit');
  });

  it('given a config file with a mistake, then it is reported without the store being needed', async () => {
    const file = await writeTempFile('bad.yaml', 'destinations:\n  - id: x\n');
    const run = await runCli(['apply', file], { EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${await closedPort()}?tls=false` });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${file}:2: destinations[0].name: is required`);
  });
});
