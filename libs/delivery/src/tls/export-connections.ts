import { getCACertificates } from 'node:tls';
import { createDnsLookup } from '../dns-lookup.ts';
import { rotateEgressAddresses, type LocalBinding } from '../egress-addresses.ts';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../http-client.ts';
import type { ClientCertificate } from './client-certificate.ts';

/** How the agent's export connections are made, the same for every destination except the mTLS switch. */
export interface ExportConnectionSettings {
  /** Presented on every connection of a destination with mTLS on; never on the others. */
  readonly clientCertificate?: ClientCertificate;
  /** PEM (one or more certificates) trusted in addition to Node's default CAs, to verify endpoints. */
  readonly extraCa?: string;
  /** Local addresses outgoing connections leave from (validated), in rotation. */
  readonly egressAddresses?: readonly LocalBinding[];
}

/** The options of one destination's client, as `createHttpClient` takes them. */
export type DestinationConnectionOptions = Pick<HttpClientOptions, 'https' | 'localBinding'>;

/**
 * Builds each destination's connection options from the agent's settings. The egress rotation is
 * shared by every destination made here.
 */
export function createExportConnections(settings: ExportConnectionSettings): (destination: { readonly mtls: boolean }) => DestinationConnectionOptions {
  // Giving Node a `ca` replaces its default list, so the extra CA is added to the defaults.
  const ca = settings.extraCa === undefined ? undefined : [...getCACertificates('default'), settings.extraCa];
  const localBinding = rotateEgressAddresses(settings.egressAddresses ?? []);
  return ({ mtls }) => {
    const certificate = mtls ? settings.clientCertificate : undefined;
    const tls = {
      ...(ca === undefined ? {} : { ca }),
      ...(certificate === undefined ? {} : { cert: certificate.cert, key: certificate.key, ...(certificate.passphrase === undefined ? {} : { passphrase: certificate.passphrase }) }),
    };
    return { ...(Object.keys(tls).length === 0 ? {} : { https: tls }), ...(localBinding === undefined ? {} : { localBinding }) };
  };
}

/** What differs between destinations' clients: the pool size and the mTLS switch. */
export interface ExportClientSettings {
  readonly maxSockets: number;
  readonly mtls: boolean;
}

/**
 * Makes destinations' clients from the agent's settings: one egress rotation and one DNS lookup
 * (`dnsServers`, when given) for all of them. The agent's thread and a sender thread both make
 * theirs here, so a destination's connections are the same whichever thread sends.
 */
export function createExportClients(settings: ExportConnectionSettings, dnsServers?: readonly string[]): (client: ExportClientSettings) => HttpClient {
  const connectionsFor = createExportConnections(settings);
  const lookup = dnsServers === undefined || dnsServers.length === 0 ? undefined : createDnsLookup(dnsServers);
  return ({ maxSockets, mtls }) => createHttpClient({ maxSockets, ...connectionsFor({ mtls }), ...(lookup ? { lookup } : {}) });
}
