import { sharedPb } from './protocol.ts';
import type { Uuid } from './protocol.ts';

export class InvalidUuidError extends Error {
  readonly type = 'invalid-uuid';
  readonly value: string;
  constructor(value: string) {
    super(`Unrecognized Guid format: '${value}'`);
    this.name = 'InvalidUuidError';
    this.value = value;
  }
}

const hex32 = /^[0-9a-f]{32}$/i;
const canonical = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// The forms .NET's Guid.Parse accepts (D, N, B, P), which is what a real server accepts.
const guidForms = [
  /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^\{([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}$/i,
  /^\(([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\)$/i,
];

/** Canonical lower-case hyphenated form, or throws InvalidUuidError. */
export function normalizeUuid(value: string): string {
  if (canonical.test(value)) return value; // what clients send: no trim, captures or new strings
  const trimmed = value.trim();
  if (hex32.test(trimmed)) return hyphenate(trimmed.toLowerCase());
  for (const form of guidForms) {
    const match = form.exec(trimmed);
    if (match) return match.slice(1).join('-').toLowerCase();
  }
  throw new InvalidUuidError(value);
}

function hyphenate(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What `uuidFromWire` reads: the generated UUID message, or one decoded by hand (batch-append-wire.ts). */
export interface WireUuid {
  hasStructured(): boolean;
  getStructured(): { getMostSignificantBits(): string; getLeastSignificantBits(): string } | undefined;
  hasString(): boolean;
  getString(): string;
}

/** Reads either wire form of a UUID (string or structured most/least significant bits). */
export function uuidFromWire(uuid: WireUuid | undefined): string {
  if (uuid === undefined) throw new InvalidUuidError('<missing>');
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured()!;
    const most = BigInt.asUintN(64, BigInt(structured.getMostSignificantBits()));
    const least = BigInt.asUintN(64, BigInt(structured.getLeastSignificantBits()));
    return hyphenate(most.toString(16).padStart(16, '0') + least.toString(16).padStart(16, '0'));
  }
  if (uuid.hasString()) return normalizeUuid(uuid.getString());
  throw new InvalidUuidError('<empty>');
}

/** The generated message of a UUID read from the wire, to echo it in an answer. */
export function uuidMessageOf(uuid: WireUuid): Uuid {
  const structured = uuid.getStructured();
  if (structured === undefined) return uuid.hasString() ? new sharedPb.UUID().setString(uuid.getString()) : new sharedPb.UUID();
  return new sharedPb.UUID().setStructured(
    new sharedPb.UUID.Structured().setMostSignificantBits(structured.getMostSignificantBits()).setLeastSignificantBits(structured.getLeastSignificantBits()),
  );
}

export function uuidToWire(id: string, form: 'string' | 'structured'): Uuid {
  const uuid = new sharedPb.UUID();
  if (form === 'string') return uuid.setString(id);
  const hex = id.replaceAll('-', '');
  const structured = new sharedPb.UUID.Structured()
    .setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString())
    .setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString());
  return uuid.setStructured(structured);
}
