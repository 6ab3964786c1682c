import { hash } from 'node:crypto';
import { parseIsoInstant } from '@spillway/xdm';

/** Our own UUID namespace for ids derived from other ids (RFC 9562 name-based, SHA-1). */
const spillwayNamespace = Buffer.from('6f1c5d0e8b3a4c1f9e2d7a6b5c4d3e2f', 'hex');

// One buffer holds the namespace and, after it, each name in turn (ids are derived one at a time,
// synchronously). Names whose UTF-8 could outgrow it get their own buffer.
const scratch = Buffer.alloc(1024);
spillwayNamespace.copy(scratch, 0);
const maxScratchNameLength = Math.floor((scratch.length - spillwayNamespace.length) / 3);

/** The RFC 9562 variant bits (10xx) set on the high nibble of byte 8, by its hex digit. */
const variantDigit: Readonly<Record<string, string>> = Object.fromEntries(
  [...'0123456789abcdef'].map((digit) => [digit, ((Number.parseInt(digit, 16) & 0x3) | 0x8).toString(16)]),
);

/**
 * A UUID (version 5) that is the same every time for the same parts. Services use it as the event
 * id of what they derive from an input event, so handling that input again after a crash appends
 * the same ids and the store's idempotent append writes nothing new.
 */
export function deterministicEventId(...parts: readonly (string | number)[]): string {
  const hex = nameHash(parts);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variantDigit[hex[16]!]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The largest time a UUID's 48-bit prefix holds (year 10889). */
const maxPrefixMs = 2 ** 48 - 1;

/**
 * Like `deterministicEventId`, the same every time for the same time and parts, but laid out as a
 * UUIDv7 is: the first 48 bits are `atMs` (milliseconds since the epoch; give the time of the
 * event the id is derived from, never the clock), version 8 (RFC 9562's custom layout), the other
 * 74 bits from the same SHA-1 of the parts. Ids derived from events recorded close together then
 * sort close together, so the store's event-id index (a B-tree keyed by id) takes each commit's
 * ids into a few leaves at its end instead of one random leaf per id across the whole index.
 * Two ids can only meet with the same millisecond and 74 equal bits of hash.
 */
export function orderedEventId(atMs: number, ...parts: readonly (string | number)[]): string {
  const hex = nameHash(parts);
  const at = Number.isFinite(atMs) ? Math.min(Math.max(Math.trunc(atMs), 0), maxPrefixMs) : 0;
  const time = at.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-8${hex.slice(13, 16)}-${variantDigit[hex[16]!]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * `orderedEventId` at an ISO-8601 instant (an event's `ingestedAt`, say); one that cannot be read
 * puts the id at time 0, still derived from the parts alone.
 */
export function orderedEventIdAt(instant: string, ...parts: readonly (string | number)[]): string {
  return orderedEventId(parseIsoInstant(instant) ?? 0, ...parts);
}

function nameHash(parts: readonly (string | number)[]): string {
  // The one-shot hash with a hex answer costs about a third of a Hash object and a digest Buffer.
  return hash('sha1', withNamespace(parts.join('\u001f')), 'hex');
}

function withNamespace(name: string): Buffer {
  if (name.length <= maxScratchNameLength) {
    const written = scratch.write(name, spillwayNamespace.length, 'utf8');
    return scratch.subarray(0, spillwayNamespace.length + written);
  }
  return Buffer.concat([spillwayNamespace, Buffer.from(name, 'utf8')]);
}
