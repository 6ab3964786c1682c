import type { HttpClient } from '@spillway/delivery';

/**
 * A destination's keep-alive client, shared by the deliveries in flight. When the destination
 * changes or goes away the client is retired: it closes once the last delivery using it is done,
 * so a configuration change never cuts a request in half.
 */
export interface LeasedHttpClient {
  readonly client: HttpClient;
  /** Takes a lease; call the returned function once when done with the client. */
  lease(): () => void;
  retire(): void;
  leases(): number;
}

export function leaseHttpClient(client: HttpClient): LeasedHttpClient {
  let leases = 0;
  let retired = false;
  let closed = false;
  const closeIfUnused = () => {
    if (retired && leases === 0 && !closed) {
      closed = true;
      client.close();
    }
  };
  return {
    client,
    lease() {
      if (retired) throw new Error('a retired HTTP client cannot be leased');
      leases++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        leases--;
        closeIfUnused();
      };
    },
    retire() {
      retired = true;
      closeIfUnused();
    },
    leases: () => leases,
  };
}
