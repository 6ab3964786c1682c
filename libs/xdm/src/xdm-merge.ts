import { isEmptyObject, isPlainObject, isReservedKey, ownValue, type JsonObject, type JsonValue } from './json.ts';
import { InvalidXdmPathError, type XdmPath } from './xdm-path.ts';

export interface AttributeWriteResult {
  /** The attributes after the write; the same object when nothing changed. */
  readonly attributes: JsonObject;
  /** Every leaf path of the write, `null` removals included, in document order. */
  readonly written: readonly XdmPath[];
}

/**
 * Applies a partial XDM object to `attributes`: each leaf replaces the value at its path, a
 * `null` leaf removes it (and parents left empty). One pass over the write; only the objects
 * on written paths are copied, the rest of the profile is shared.
 */
export function applyAttributeWrite(attributes: JsonObject, partial: JsonObject): AttributeWriteResult {
  const written: XdmPath[] = [];
  const merged = mergeInto(attributes, partial, '', written);
  return { attributes: merged ?? (isEmptyObject(attributes) ? attributes : {}), written };
}

/** Returns the merged object, or undefined when it ended up empty. */
function mergeInto(target: JsonObject, partial: JsonObject, prefix: string, written: XdmPath[]): JsonObject | undefined {
  let result: Record<string, JsonValue> | undefined;
  for (const key of Object.keys(partial)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isReservedKey(key)) throw new InvalidXdmPathError(path, `'${key}' is a reserved name`);
    const current = ownValue(target, key);
    const next = mergeField(current, partial[key]!, path, written);
    if (next === current) continue;
    result ??= { ...target };
    if (next === undefined) delete result[key];
    else result[key] = next;
  }
  const merged = result ?? target;
  return isEmptyObject(merged) ? undefined : merged;
}

/** The field's value after the write; `current` itself when the write leaves it as it was. */
function mergeField(current: JsonValue | undefined, value: JsonValue, path: string, written: XdmPath[]): JsonValue | undefined {
  if (!isPlainObject(value)) {
    written.push(path);
    return value === null ? undefined : value;
  }
  const before = written.length;
  const merged = mergeInto(isPlainObject(current) ? current : {}, value, path, written);
  if (written.length === before) return current; // `{}` writes nothing
  // Removals under a non-object leave it alone: there was nothing there to remove.
  if (merged === undefined && !isPlainObject(current)) return current;
  return merged;
}
