import { createHash } from 'node:crypto';

/** Our own UUID namespace for ids derived from other ids (RFC 9562 name-based, SHA-1). */
const spillwayNamespace = Buffer.from('6f1c5d0e8b3a4c1f9e2d7a6b5c4d3e2f', 'hex');

/**
 * A UUID (version 5) that is the same every time for the same parts. Services use it as the event
 * id of what they derive from an input event, so handling that input again after a crash appends
 * the same ids and the store's idempotent append writes nothing new.
 */
export function deterministicEventId(...parts: readonly (string | number)[]): string {
  const hash = createHash('sha1').update(spillwayNamespace).update(parts.map(String).join('\u001f')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
