import type { ClientCertificateState } from '@spillway/delivery';
import type { Logger } from '@spillway/runtime';
import type { PublicInfoListen } from '../connections/connection-settings.ts';
import type { PublicInfo } from './public-info-routes.ts';
import { PublicInfoListenError, startPublicInfoServer, type PublicInfoServer } from './public-info-server.ts';

/**
 * Starts the public info endpoint. On its default port, already taken (a second agent on the same
 * host), the agent goes on delivering without it and says so; a port that was asked for must work.
 */
export async function servePublicInfo(listen: PublicInfoListen | undefined, info: PublicInfo, logger: Logger): Promise<PublicInfoServer | undefined> {
  if (listen === undefined) return undefined;
  try {
    return await startPublicInfoServer(info, listen, logger);
  } catch (error) {
    if (listen.explicit || !(error instanceof PublicInfoListenError) || error.code !== 'EADDRINUSE') throw error;
    logger.warn('public certificate endpoint not served: its default port is in use, set SPILLWAY_AGENT_HTTP_PORT', { host: listen.host, port: listen.port });
    return undefined;
  }
}

/** One line at start about the client certificate: what customers will see, or why mTLS destinations will fail. */
export function reportClientCertificate(state: ClientCertificateState, logger: Logger, now: Date): void {
  switch (state.kind) {
    case 'none':
      return;
    case 'unusable':
      logger.error('client certificate unusable, destinations with mTLS on will fail', { reason: state.reason });
      return;
    case 'loaded': {
      const { commonName, validTo, fingerprintSha256 } = state.info;
      if (Date.parse(validTo) <= now.getTime()) logger.warn('client certificate expired, endpoints will likely refuse it', { commonName, validTo, fingerprintSha256 });
      else logger.info('client certificate loaded', { commonName, validTo, fingerprintSha256 });
      return;
    }
    default: {
      const unknown: never = state;
      throw new Error(`unexpected client certificate state ${JSON.stringify(unknown)}`);
    }
  }
}
