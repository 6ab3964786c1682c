import { Resolver } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';

/**
 * Name resolution through chosen DNS servers (instead of the system resolver and /etc/hosts):
 * each lookup asks them again, so a name that starts resolving is used at the next attempt.
 */
export function createDnsLookup(servers: readonly string[], options: { readonly timeoutMs?: number; readonly tries?: number } = {}): LookupFunction {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2_000, tries: options.tries ?? 2 });
  resolver.setServers([...servers]);
  const resolve = (hostname: string, family: 4 | 6) => (family === 4 ? resolver.resolve4(hostname) : resolver.resolve6(hostname));

  return ((hostname: string, lookupOptions: { family?: number | string; all?: boolean }, callback: (error: NodeJS.ErrnoException | null, address: unknown, family?: number) => void) => {
    const wanted = Number(lookupOptions.family) === 6 ? 6 : Number(lookupOptions.family) === 4 ? 4 : 0;
    const literal = isIP(hostname);
    const found: Promise<{ address: string; family: 4 | 6 }[]> = literal
      ? Promise.resolve([{ address: hostname, family: literal as 4 | 6 }])
      : resolveFamilies(hostname, wanted, resolve);
    found.then(
      (entries) => (lookupOptions.all ? callback(null, entries) : callback(null, entries[0]!.address, entries[0]!.family)),
      (error: NodeJS.ErrnoException) => callback(Object.assign(error, { hostname }), lookupOptions.all ? [] : undefined),
    );
  }) as LookupFunction;
}

/** IPv4 first (unless only IPv6 is wanted), IPv6 when there is no A record. */
async function resolveFamilies(hostname: string, wanted: 0 | 4 | 6, resolve: (hostname: string, family: 4 | 6) => Promise<string[]>): Promise<{ address: string; family: 4 | 6 }[]> {
  const families: (4 | 6)[] = wanted === 0 ? [4, 6] : [wanted];
  let failure: unknown;
  for (const family of families) {
    try {
      const addresses = await resolve(hostname, family);
      if (addresses.length > 0) return addresses.map((address) => ({ address, family }));
    } catch (error) {
      // NXDOMAIN is final for every family; "no record of this type" lets the next family try.
      failure ??= error;
      if ((error as NodeJS.ErrnoException).code !== 'ENODATA') break;
    }
  }
  throw failure ?? Object.assign(new Error(`queryA ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
}

/** `SPILLWAY_DNS_SERVERS`: comma-separated `ip`, `ip:port` or `[ipv6]:port`; throws naming the entry that is not one. */
export function parseDnsServers(text: string): string[] {
  const servers = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const server of servers) {
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
    const withPort = /^([^:]+):(\d+)$/.exec(server);
    const host = bracketed?.[1] ?? withPort?.[1] ?? server;
    const port = bracketed?.[2] ?? withPort?.[2];
    if (isIP(host) === 0) throw new Error(`'${server}' is not an IP address (with an optional :port)`);
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) throw new Error(`'${server}' has a port outside 1-65535`);
  }
  return servers;
}
