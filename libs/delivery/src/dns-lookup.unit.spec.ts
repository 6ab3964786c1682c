import { describe, expect, it } from 'vitest';
import { parseDnsServers } from './dns-lookup.ts';

describe('SPILLWAY_DNS_SERVERS', () => {
  it('given addresses with and without ports, then each is kept as the resolver takes it', () => {
    expect(parseDnsServers('10.0.0.2, 127.0.0.1:5353,[::1]:53,::1')).toEqual(['10.0.0.2', '127.0.0.1:5353', '[::1]:53', '::1']);
  });

  it('given a host name or a bad port, then the error names the entry', () => {
    expect(() => parseDnsServers('10.0.0.2,dns.example.com')).toThrow("'dns.example.com' is not an IP address");
    expect(() => parseDnsServers('127.0.0.1:70000')).toThrow("'127.0.0.1:70000' has a port outside 1-65535");
  });
});
