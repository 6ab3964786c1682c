import { getCACertificates } from 'node:tls';
import { rotateEgressAddresses, type LocalBinding } from '../egress-addresses.ts';
import type { HttpClientOptions } from '../http-client.ts';
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
