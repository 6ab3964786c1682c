import {
  checkEgressAddressesBindable,
  clientCertificateAvailability,
  createExportClients,
  describeCertificate,
  loadClientCertificate,
  type ClientCertificateAvailability,
  type ClientCertificateState,
  type ExportConnectionSettings,
  type HttpClient,
  type LocalBinding,
  type SecretSources,
  type SenderThreads,
} from '@spillway/delivery';
import { InvalidConnectionSettingsError, type ConnectionSettings } from './connection-settings.ts';

/** The agent's export connection material, loaded once at start. */
export interface AgentConnections {
  /** `unusable` does not stop the agent: destinations with mTLS on fail with its reason. */
  readonly clientCertificate: ClientCertificateState;
  /** PEM trusted besides Node's default CAs. */
  readonly extraCa?: string;
  readonly egressAddresses: readonly LocalBinding[];
  /** The DNS servers endpoint names are resolved by (`SPILLWAY_DNS_SERVERS`). @defaultValue the system resolver */
  readonly dnsServers?: readonly string[];
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

/** How export connections are made, as `createExportConnections` (here and in a sender thread) takes it. */
export function exportConnectionSettingsOf(connections: AgentConnections): ExportConnectionSettings {
  const { clientCertificate } = connections;
  return {
    ...(clientCertificate.kind === 'loaded' ? { clientCertificate: clientCertificate.certificate } : {}),
    ...(connections.extraCa === undefined ? {} : { extraCa: connections.extraCa }),
    egressAddresses: connections.egressAddresses,
  };
}

/** With `senders`, each destination's exports go out from a sender thread; its token requests still go from here. */
export function destinationClients(connections: AgentConnections, maxSockets: number, senders?: SenderThreads): DestinationClients {
  const createClient = createExportClients(exportConnectionSettingsOf(connections), connections.dnsServers);
  return {
    createHttpClient: ({ mtls }) => {
      const local = createClient({ maxSockets, mtls });
      return senders === undefined ? local : senders.sendFrom(local, { maxSockets, mtls });
    },
    clientCertificate: clientCertificateAvailability(connections.clientCertificate),
  };
}
