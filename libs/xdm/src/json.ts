/** JSON values as they arrive in events (JSON.parse output) and leave in export documents. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/**
 * A (partial) XDM object: nested objects whose leaves are JSON values. Arrays are leaves
 * (they are written and exported whole). In a write, a `null` leaf removes the attribute.
 */
export type XdmObject = JsonObject;

export function isPlainObject(value: unknown): value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Own enumerable property only: never reads through the prototype chain. */
export function ownValue(object: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/**
 * Keys that could reach or replace a prototype when an object is built by assignment.
 * They are rejected everywhere a key or path segment comes from outside.
 */
export const reservedKeys: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isReservedKey(key: string): boolean {
  return reservedKeys.has(key);
}

/** O(1) emptiness check for plain objects (no key array is built). */
export function isEmptyObject(object: JsonObject): boolean {
  for (const _key in object) return false;
  return true;
}
