import { describe, expect, it } from 'vitest';
import { describeTarget } from './connection.ts';
import { InvalidEnvironmentError, defaultConnectionString, parseStoreEnvironment, storeEndpoint } from './environment.ts';

describe('store settings from the environment', () => {
  it('defaults to the local store', () => {
    expect(parseStoreEnvironment({})).toEqual({ connectionString: defaultConnectionString });
    expect(parseStoreEnvironment({ EVENTSTORE_CONNECTION_STRING: '' })).toEqual({ connectionString: defaultConnectionString });
  });

  it('names the variable when the connection string is not one', () => {
    expect(() => parseStoreEnvironment({ EVENTSTORE_CONNECTION_STRING: 'http://x' })).toThrow(InvalidEnvironmentError);
    expect(() => parseStoreEnvironment({ EVENTSTORE_CONNECTION_STRING: 'http://x' })).toThrow(/EVENTSTORE_CONNECTION_STRING/);
  });

  it('finds the first host and port, defaulting the port to 2113', () => {
    expect(storeEndpoint('esdb://127.0.0.1:4000?tls=false')).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(storeEndpoint('esdb://admin:secret@db.local?tls=false')).toEqual({ host: 'db.local', port: 2113 });
    expect(storeEndpoint('esdb+discover://a:2113,b:2113')).toEqual({ host: 'a', port: 2113 });
  });

  it('describes the target without credentials', () => {
    expect(describeTarget('esdb://admin:changeit@db.local:2113?tls=true')).toBe('db.local:2113');
  });
});
