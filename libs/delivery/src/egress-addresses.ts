import { createServer, isIP } from 'node:net';

/** The local address a new export connection is bound to, and the family to resolve the endpoint in. */
export interface LocalBinding {
  readonly address: string;
  readonly family: 4 | 6;
}

export class InvalidEgressAddressError extends Error {
  override readonly name = 'InvalidEgressAddressError';
  readonly type = 'InvalidEgressAddressError';
  readonly address: string;
  readonly reason: string;
  constructor(address: string, reason: string) {
    super(`egress address '${address}' ${reason}`);
    this.address = address;
    this.reason = reason;
  }
}

/** Checks each entry is an IP address, all of one family (a connection can only leave from its endpoint's family). */
export function validateEgressAddresses(addresses: readonly string[]): readonly LocalBinding[] {
  const bindings = addresses.map((address): LocalBinding => {
    const family = isIP(address);
    if (family === 0) throw new InvalidEgressAddressError(address, 'is not an IPv4 or IPv6 address');
    return { address, family: family === 4 ? 4 : 6 };
  });
  const families = new Set(bindings.map((binding) => binding.family));
  if (families.size > 1) throw new InvalidEgressAddressError(addresses.join(','), 'mixes IPv4 and IPv6 addresses: use one family');
  return bindings;
}

/**
 * Round robin over the addresses, one step per new connection (kept-alive connections keep their
 * address). Share one rotation between all destinations so the load spreads over the addresses.
 */
export function rotateEgressAddresses(bindings: readonly LocalBinding[]): (() => LocalBinding) | undefined {
  if (bindings.length === 0) return undefined;
  let next = 0;
  return () => {
    const binding = bindings[next % bindings.length]!;
    next = (next + 1) % bindings.length;
    return binding;
  };
}

/** Binds a throwaway listener on each address: an address this host does not have fails here, at start, rather than on every export. */
export async function checkEgressAddressesBindable(bindings: readonly LocalBinding[]): Promise<void> {
  for (const { address } of bindings) {
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', (error: NodeJS.ErrnoException) => reject(new InvalidEgressAddressError(address, `cannot be bound on this host (${error.code ?? error.message})`)));
      probe.listen(0, address, () => probe.close(() => resolve()));
    });
  }
}
