import {
  checkEgressAddressesBindable,
  clientCertificateAvailability,
  createExportConnections,
  createHttpClient,
  describeCertificate,
  loadClientCertificate,
  type ClientCertificateAvailability,
  type ClientCertificateState,
  type HttpClient,
  type LocalBinding,
  type SecretSources,
} from '@spillway/delivery';
import type { LookupFunction } from 'node:net';
import { InvalidConnectionSettingsError, type ConnectionSettings } from './connection-settings.ts';

/** The agent's export connection material, loaded once at start. */
export interface AgentConnections {
  /** `unusable` does not stop the agent: destinations with mTLS on fail with its reason. */
  readonly clientCertificate: ClientCertificateState;
  /** PEM trusted besides Node's default CAs. */
  readonly extraCa?: string;
  readonly egressAddresses: readonly LocalBinding[];
  /** How endpoint names are resolved (`SPILLWAY_DNS_SERVERS`). @defaultValue the system resolver */
  readonly lookup?: LookupFunction;
}

export const plainConnections: AgentConnections = { clientCertificate: { kind: 'none' }, egressAddresses: [] };

/**
 * Reads the client certificate, key and CA files and checks the egress addresses can be bound.
 * A CA file or an egress address that cannot be used stops the agent (every destination depends
 * on them); a client certificate that cannot be used only stops the mTLS destinations.
 */
export async function loadAgentConnections(settings: ConnectionSettings, sources: SecretSources): Promise<AgentConnections> {
  const extraCa = settings.caFile === undefined ? undefined : readCaFile(settings.caFile, sources);
  try {
    await checkEgressAddressesBindable(settings.egressAddresses);
  } catch (error) {
    throw new InvalidConnectionSettingsError([`SPILLWAY_EGRESS_ADDRESSES: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return {
    clientCertificate: loadClientCertificate(settings.clientCertificateFiles, sources),
    ...(extraCa === undefined ? {} : { extraCa }),
    egressAddresses: settings.egressAddresses,
  };
}

function readCaFile(path: string, sources: SecretSources): string {
  let pem: string;
  try {
    pem = sources.readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    throw new InvalidConnectionSettingsError([`SPILLWAY_CA_FILE: ${path} cannot be read${typeof code === 'string' ? ` (${code})` : ''}`]);
  }
  try {
    describeCertificate(pem);
  } catch {
    throw new InvalidConnectionSettingsError([`SPILLWAY_CA_FILE: ${path} holds no PEM certificate`]);
  }
  return pem;
}

/** What the destination registry needs: a client per destination (with the certificate when mTLS is on) and whether mTLS can be served. */
export interface DestinationClients {
  readonly createHttpClient: (destination: { readonly mtls: boolean }) => HttpClient;
  readonly clientCertificate: ClientCertificateAvailability;
}

export function destinationClients(connections: AgentConnections, maxSockets: number): DestinationClients {
  const { clientCertificate } = connections;
  const optionsFor = createExportConnections({
    ...(clientCertificate.kind === 'loaded' ? { clientCertificate: clientCertificate.certificate } : {}),
    ...(connections.extraCa === undefined ? {} : { extraCa: connections.extraCa }),
    egressAddresses: connections.egressAddresses,
  });
  return {
    createHttpClient: (destination) => createHttpClient({ maxSockets, ...optionsFor(destination), ...(connections.lookup ? { lookup: connections.lookup } : {}) }),
    clientCertificate: clientCertificateAvailability(clientCertificate),
  };
}
