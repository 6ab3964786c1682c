import { describe, expect, it } from 'vitest';
import { InvalidStoreOptionsError, parseStoreOptions } from './options.ts';

describe('parseStoreOptions', () => {
  it('defaults to 127.0.0.1:2113, ./data and the durable engine', () => {
    expect(parseStoreOptions([], {})).toEqual({ host: '127.0.0.1', port: 2113, dataDir: './data', inMemory: false, onDamagedData: 'refuse' });
  });

  it('takes host and port from EVENTSTORE_CONNECTION_STRING and the data dir from SPILLWAY_DATA_DIR', () => {
    const env = { EVENTSTORE_CONNECTION_STRING: 'esdb://admin:secret@localhost:4000?tls=false', SPILLWAY_DATA_DIR: '/var/spillway' };
    expect(parseStoreOptions([], env)).toMatchObject({ host: 'localhost', port: 4000, dataDir: '/var/spillway' });
  });

  it('lets flags win over the environment, including port 0', () => {
    const env = { EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:4000?tls=false' };
    const options = parseStoreOptions(['--port', '0', '--host', '0.0.0.0', '--data', './other', '--in-memory', '--on-damaged-data', 'move-aside'], env);
    expect(options).toEqual({ host: '0.0.0.0', port: 0, dataDir: './other', inMemory: true, onDamagedData: 'move-aside' });
  });

  it('rejects a bad port, an unknown flag and a connection string of another scheme', () => {
    expect(() => parseStoreOptions(['--port', 'http'], {})).toThrow(InvalidStoreOptionsError);
    expect(() => parseStoreOptions(['--port', '70000'], {})).toThrow(InvalidStoreOptionsError);
    expect(() => parseStoreOptions(['--on-damaged-data', 'ignore'], {})).toThrow(InvalidStoreOptionsError);
    expect(() => parseStoreOptions(['--verbose'], {})).toThrow();
    expect(() => parseStoreOptions([], { EVENTSTORE_CONNECTION_STRING: 'http://localhost:2113' })).toThrow(InvalidStoreOptionsError);
  });
});
