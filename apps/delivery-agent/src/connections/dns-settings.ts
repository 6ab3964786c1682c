import { parseDnsServers } from '@spillway/delivery';
import { InvalidConnectionSettingsError } from './connection-settings.ts';

/**
 * `SPILLWAY_DNS_SERVERS`: endpoint names are resolved by these DNS servers instead of the
 * system resolver (comma-separated `ip`, `ip:port`, `[ipv6]:port`). Unset: the system resolver.
 */
export function parseDnsServersSetting(env: Readonly<Record<string, string | undefined>>): readonly string[] | undefined {
  const text = env['SPILLWAY_DNS_SERVERS']?.trim();
  if (!text) return undefined;
  try {
    const servers = parseDnsServers(text);
    return servers.length === 0 ? undefined : servers;
  } catch (error) {
    throw new InvalidConnectionSettingsError([`SPILLWAY_DNS_SERVERS: ${error instanceof Error ? error.message : String(error)}`]);
  }
}
