import { createAuthorizer, type Authorizer, type ClientCertificateAvailability, type DeliveryTarget, type HttpClient, type RetryPolicy, type SecretSources } from '@spillway/delivery';
import { comparePositions, type Position } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
import type { DestinationConfig, DestinationEvent } from '@spillway/xdm';
import { flowSettingsOf, unpacedFlow, type FlowSettings } from '../flow-control/flow-settings.ts';
import { leaseHttpClient, type LeasedHttpClient } from './leased-http-client.ts';
import { resolveDestination } from './resolve-destination.ts';

/** What an export finds when it looks its destination up. */
export type DestinationCheckout =
  | {
      readonly kind: 'ready';
      readonly target: DeliveryTarget;
      readonly httpClient: HttpClient;
      /** The destination's Authorization header source; OAuth kinds cache their token in it. */
      readonly authorizer: Authorizer;
      /** The destination's own retry settings (`retry` of its configuration); the agent's defaults fill the rest. */
      readonly retry: Partial<RetryPolicy>;
      /** Call once the delivery is done with the client. */
      readonly release: () => void;
    }
  | { readonly kind: 'unusable'; readonly reason: string };

export interface DestinationMessage {
  readonly streamId: string;
  readonly eventId: string;
  readonly event: DestinationEvent;
  /** Its place in $all; an event at or before one already applied to its destination is ignored. */
  readonly position?: Position | undefined;
}

export interface DestinationRegistry {
  /** Applies a destination event, unless one at a later place in $all was already applied to that destination. */
  apply(message: DestinationMessage): void;
  checkout(destinationId: string): DestinationCheckout;
  /** Its circuit breaker, rate limit and bound on requests at once (defaults filled in). */
  flowSettings(destinationId: string): FlowSettings;
  counts(): { readonly usable: number; readonly unusable: number; readonly deleted: number };
  /** OAuth token requests sent so far, by every destination configuration this registry had. */
  tokenRequests(): number;
  /**
   * Reads every configured destination's secret references again (a rotated `file:` secret), and
   * takes up those whose values changed, or which can be resolved now. A destination in use whose
   * references cannot be read at this moment (a file being replaced) keeps what it had.
   */
  refreshSecrets(): void;
  /** Closes every client (in-flight requests fail): for shutdown, after deliveries stopped. */
  close(): void;
}

export interface DestinationRegistryOptions {
  readonly secrets: SecretSources;
  /** A destination's own client; with `mtls` it presents the agent's client certificate. */
  readonly createHttpClient: (destination: { readonly mtls: boolean }) => HttpClient;
  /** Whether destinations with mTLS on can be served. @defaultValue no client certificate */
  readonly clientCertificate?: ClientCertificateAvailability;
  /** The agent's bound on requests at once per destination; a destination's `maxInFlight` can only lower it. */
  readonly maxInFlightPerDestination: number;
  readonly logger: Logger;
}

type Entry =
  | { readonly state: 'usable'; readonly target: DeliveryTarget; readonly client: LeasedHttpClient; readonly authorizer: Authorizer; readonly retry: Partial<RetryPolicy>; readonly flow: FlowSettings }
  | { readonly state: 'unusable'; readonly reason: string }
  | { readonly state: 'deleted' };

/**
 * The destinations as of the agent's place in the log: the latest `DestinationConfigured` of
 * each, resolved once into a delivery target with its own keep-alive client. A destination that
 * cannot be used is reported once, when its configuration arrives.
 */
export function createDestinationRegistry(options: DestinationRegistryOptions): DestinationRegistry {
  const entries = new Map<string, Entry>();
  /** The configuration each entry was resolved from, with where it came from (for refreshSecrets). */
  const configured = new Map<string, { readonly config: DestinationConfig; readonly where: Readonly<Record<string, unknown>> }>();
  // Several consumers (one per dataflow) read the destination streams, each at its own place in
  // the log: the one behind must not roll a destination back to an older configuration.
  const appliedAt = new Map<string, Position>();
  let retiredTokenRequests = 0;
  const { logger } = options;

  const replace = (destinationId: string, next: Entry) => {
    const previous = entries.get(destinationId);
    if (previous?.state === 'usable') {
      previous.client.retire();
      retiredTokenRequests += previous.authorizer.tokenRequests();
    }
    entries.set(destinationId, next);
  };

  const configure = (config: DestinationConfig, where: Readonly<Record<string, unknown>>, resolution = resolveDestination(config, options.secrets, options.clientCertificate)) => {
    configured.set(config.destinationId, { config, where });
    if (!resolution.usable) {
      logger.warn('destination unusable, its exports will fail', { ...where, destinationId: config.destinationId, reason: resolution.reason });
      replace(config.destinationId, { state: 'unusable', reason: resolution.reason });
      return;
    }
    const client = leaseHttpClient(options.createHttpClient({ mtls: config.mtls?.enabled === true }));
    // A new configuration starts with no token: its credentials may have changed.
    const authorizer = createAuthorizer(resolution.target, { destinationId: config.destinationId, httpClient: client.client, logger });
    const flow = flowSettingsOf(config, options.maxInFlightPerDestination);
    replace(config.destinationId, { state: 'usable', target: resolution.target, client, authorizer, retry: config.retry ?? {}, flow });
    logger.info('destination ready', { ...where, destinationId: config.destinationId, auth: config.auth.type, mtls: config.mtls?.enabled === true, timeoutMs: resolution.target.timeoutMs });
  };

  return {
    apply({ streamId, eventId, event, position }) {
      const where = { stream: streamId, eventId, eventType: event.type };
      if (streamId !== `destination-${event.data.destinationId}`) {
        logger.warn('destination event skipped', { ...where, reason: `destinationId '${event.data.destinationId}' does not match the stream's id` });
        return;
      }
      if (position !== undefined) {
        const applied = appliedAt.get(event.data.destinationId);
        if (applied !== undefined && comparePositions(position, applied) <= 0) return;
        appliedAt.set(event.data.destinationId, position);
      }
      switch (event.type) {
        case 'DestinationConfigured':
          configure(event.data, where);
          return;
        case 'DestinationDeleted':
          configured.delete(event.data.destinationId);
          replace(event.data.destinationId, { state: 'deleted' });
          logger.info('destination deleted', { ...where, destinationId: event.data.destinationId });
          return;
        default:
          assertNever(event);
      }
    },
    checkout(destinationId) {
      const entry = entries.get(destinationId);
      if (entry === undefined) return { kind: 'unusable', reason: `destination '${destinationId}' is not configured` };
      switch (entry.state) {
        case 'usable':
          return { kind: 'ready', target: entry.target, httpClient: entry.client.client, authorizer: entry.authorizer, retry: entry.retry, release: entry.client.lease() };
        case 'unusable':
          return { kind: 'unusable', reason: `destination '${destinationId}' is unusable: ${entry.reason}` };
        case 'deleted':
          return { kind: 'unusable', reason: `destination '${destinationId}' was deleted` };
        default:
          return assertNever(entry);
      }
    },
    flowSettings(destinationId) {
      const entry = entries.get(destinationId);
      return entry?.state === 'usable' ? entry.flow : unpacedFlow(options.maxInFlightPerDestination);
    },
    tokenRequests() {
      let total = retiredTokenRequests;
      for (const entry of entries.values()) if (entry.state === 'usable') total += entry.authorizer.tokenRequests();
      return total;
    },
    refreshSecrets() {
      for (const [destinationId, { config, where }] of configured) {
        const entry = entries.get(destinationId);
        const resolution = resolveDestination(config, options.secrets, options.clientCertificate);
        if (!resolution.usable) continue;
        // Resolved targets are plain data: equal JSON, equal secrets and settings.
        if (entry?.state === 'usable' && JSON.stringify(entry.target) === JSON.stringify(resolution.target)) continue;
        logger.info(entry?.state === 'usable' ? 'destination secrets changed, taken up' : 'destination secrets readable now', { ...where, destinationId });
        configure(config, where, resolution);
      }
    },
    counts() {
      const counts = { usable: 0, unusable: 0, deleted: 0 };
      for (const entry of entries.values()) counts[entry.state]++;
      return counts;
    },
    close() {
      for (const entry of entries.values()) if (entry.state === 'usable') entry.client.client.close();
    },
  };
}

function assertNever(value: never): never {
  throw new Error(`unexpected destination entry ${JSON.stringify(value)}`);
}
