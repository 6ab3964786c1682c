import { describe, expect, it } from 'vitest';
import { parseConnectionSettings } from './connection-settings.ts';

describe('connection settings', () => {
  it('given nothing, no client certificate, the default CAs, no egress binding, the public info on 127.0.0.1:8790', () => {
    expect(parseConnectionSettings({})).toEqual({
      clientCertificateFiles: undefined,
      caFile: undefined,
      egressAddresses: [],
      egressAddressList: [],
      publicInfo: { host: '127.0.0.1', port: 8790, explicit: false },
    });
  });

  it('reads the certificate, key, passphrase reference, CA, egress addresses and listen address', () => {
    expect(
      parseConnectionSettings({
        SPILLWAY_CLIENT_CERT_FILE: '/etc/spillway/client.crt',
        SPILLWAY_CLIENT_KEY_FILE: '/etc/spillway/client.key',
        SPILLWAY_CLIENT_KEY_PASSPHRASE: 'env:KEY_PASSPHRASE',
        SPILLWAY_CA_FILE: '/etc/spillway/partners-ca.pem',
        SPILLWAY_EGRESS_ADDRESSES: '127.0.0.2, 127.0.0.3',
        SPILLWAY_AGENT_HTTP_PORT: '0',
        SPILLWAY_AGENT_HTTP_HOST: '0.0.0.0',
      }),
    ).toEqual({
      clientCertificateFiles: { certFile: '/etc/spillway/client.crt', keyFile: '/etc/spillway/client.key', keyPassphrase: 'env:KEY_PASSPHRASE' },
      caFile: '/etc/spillway/partners-ca.pem',
      egressAddresses: [
        { address: '127.0.0.2', family: 4 },
        { address: '127.0.0.3', family: 4 },
      ],
      egressAddressList: ['127.0.0.2', '127.0.0.3'],
      publicInfo: { host: '0.0.0.0', port: 0, explicit: true },
    });
    expect(parseConnectionSettings({ SPILLWAY_AGENT_HTTP_PORT: 'off' }).publicInfo).toBeUndefined();
  });

  it.each([
    [{ SPILLWAY_CLIENT_CERT_FILE: '/c.crt' }, 'SPILLWAY_CLIENT_KEY_FILE: must be set together with SPILLWAY_CLIENT_CERT_FILE'],
    [{ SPILLWAY_CLIENT_KEY_FILE: '/c.key' }, 'SPILLWAY_CLIENT_CERT_FILE: must be set together with SPILLWAY_CLIENT_KEY_FILE'],
    [{ SPILLWAY_CLIENT_CERT_FILE: 'c.crt', SPILLWAY_CLIENT_KEY_FILE: '/c.key' }, 'SPILLWAY_CLIENT_CERT_FILE: must be an absolute path'],
    [{ SPILLWAY_CA_FILE: 'ca.pem' }, 'SPILLWAY_CA_FILE: must be an absolute path'],
    [{ SPILLWAY_EGRESS_ADDRESSES: '127.0.0.2,egress.example' }, "SPILLWAY_EGRESS_ADDRESSES: egress address 'egress.example' is not an IPv4 or IPv6 address"],
    [{ SPILLWAY_EGRESS_ADDRESSES: '127.0.0.2,::1' }, 'SPILLWAY_EGRESS_ADDRESSES: egress address \'127.0.0.2,::1\' mixes IPv4 and IPv6 addresses: use one family'],
    [{ SPILLWAY_AGENT_HTTP_PORT: '70000' }, "SPILLWAY_AGENT_HTTP_PORT: must be a port number (0 for any free port) or 'off', got '70000'"],
  ])('refuses %o naming the variable', (env, problem) => {
    expect(() => parseConnectionSettings(env)).toThrow(problem);
  });

  it('refuses a passphrase given in place of its reference without repeating it', () => {
    let message = '';
    try {
      parseConnectionSettings({ SPILLWAY_CLIENT_CERT_FILE: '/c.crt', SPILLWAY_CLIENT_KEY_FILE: '/c.key', SPILLWAY_CLIENT_KEY_PASSPHRASE: 'hunter2-passphrase' });
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('SPILLWAY_CLIENT_KEY_PASSPHRASE: must be a secret reference, env:NAME or file:/absolute/path');
    expect(message).not.toContain('hunter2');
  });
});
