import { isEmptyObject, isPlainObject, isReservedKey, ownValue, type JsonObject, type JsonValue } from './json.ts';

/** A dotted XDM field path such as `person.name.firstName`. */
export type XdmPath = string;

/**
 * One path segment: an XDM field name, `^[A-Za-z0-9_$@-]+$`. Dots separate segments, so they
 * cannot appear in one. Checked character by character: every field of every profile is checked
 * on each write and read, and a regular expression call costs several times more.
 */
export function isXdmFieldName(name: string): boolean {
  if (name.length === 0) return false;
  for (let index = 0; index < name.length; index++) {
    const code = name.charCodeAt(index);
    const allowed =
      (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 36 || code === 64 || code === 45;
    if (!allowed) return false;
  }
  return true;
}

export class InvalidXdmPathError extends Error {
  readonly type = 'InvalidXdmPath';
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string) {
    super(`invalid XDM path '${path}': ${reason}`);
    this.name = 'InvalidXdmPathError';
    this.path = path;
    this.reason = reason;
  }
}

/** Why a field name is not acceptable, or undefined when it is. */
export function fieldNameProblem(name: string): string | undefined {
  if (isReservedKey(name)) return `'${name}' is a reserved name`;
  if (!isXdmFieldName(name)) return `'${name}' must be letters, digits, '_', '-', '$' or '@'`;
  return undefined;
}

/** Why a dotted path is not acceptable, or undefined when it is. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'the path is empty';
  for (const segment of path.split('.')) {
    if (segment.length === 0) return 'a segment is empty';
    const problem = fieldNameProblem(segment);
    if (problem) return problem;
  }
  return undefined;
}

/** Splits a path into segments, throwing InvalidXdmPathError on empty or reserved segments. */
export function splitPath(path: XdmPath): string[] {
  const problem = pathProblem(path);
  if (problem) throw new InvalidXdmPathError(path, problem);
  return path.split('.');
}

export function joinPath(segments: readonly string[]): XdmPath {
  return segments.join('.');
}

/** The value at a path (own properties only), or undefined when absent. */
export function getPath(object: JsonObject, path: XdmPath): JsonValue | undefined {
  let current: JsonValue | undefined = object;
  for (const segment of splitPath(path)) {
    if (!isPlainObject(current)) return undefined;
    current = ownValue(current, segment);
  }
  return current;
}

/**
 * A copy of `object` with `value` at `path`. Only the objects along the path are copied;
 * everything else is shared. A non-object met on the way is replaced by an object.
 */
export function setPath(object: JsonObject, path: XdmPath, value: JsonValue): JsonObject {
  return setSegments(object, splitPath(path), 0, value);
}

function setSegments(object: JsonObject, segments: readonly string[], index: number, value: JsonValue): JsonObject {
  const key = segments[index]!;
  const copy: Record<string, JsonValue> = { ...object };
  if (index === segments.length - 1) {
    copy[key] = value;
  } else {
    const child = ownValue(object, key);
    copy[key] = setSegments(isPlainObject(child) ? child : {}, segments, index + 1, value);
  }
  return copy;
}

/**
 * A copy of `object` without `path`, removing parents left empty. Returns `object` itself
 * when there was nothing to remove.
 */
export function deletePath(object: JsonObject, path: XdmPath): JsonObject {
  return deleteSegments(object, splitPath(path), 0) ?? object;
}

/** undefined = nothing removed; otherwise the object after removal (possibly empty). */
function deleteSegments(object: JsonObject, segments: readonly string[], index: number): JsonObject | undefined {
  const key = segments[index]!;
  if (!Object.hasOwn(object, key)) return undefined;
  if (index === segments.length - 1) return withoutKey(object, key);
  const child = object[key];
  if (!isPlainObject(child)) return undefined;
  const updated = deleteSegments(child, segments, index + 1);
  if (updated === undefined) return undefined;
  if (isEmptyObject(updated)) return withoutKey(object, key);
  return { ...object, [key]: updated };
}

export function withoutKey(object: JsonObject, key: string): JsonObject {
  const copy: Record<string, JsonValue> = { ...object };
  delete copy[key];
  return copy;
}

/**
 * The leaf paths a partial object writes, in document order. Leaves are non-object values
 * (including `null`, which is a removal, and arrays); an empty object writes nothing.
 */
export function leafPaths(partial: JsonObject): XdmPath[] {
  const paths: XdmPath[] = [];
  collectLeafPaths(partial, '', paths);
  return paths;
}

function collectLeafPaths(object: JsonObject, prefix: string, into: XdmPath[]): void {
  for (const key of Object.keys(object)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const value = object[key];
    if (isPlainObject(value)) collectLeafPaths(value, path, into);
    else into.push(path);
  }
}

/**
 * True when a write to one path touches the other: the same path, or one inside the other
 * (a write to `person.name` touches `person.name.firstName` and the reverse).
 */
export function pathsOverlap(a: XdmPath, b: XdmPath): boolean {
  if (a === b) return true;
  const [shorter, longer] = a.length < b.length ? [a, b] : [b, a];
  return longer.startsWith(shorter) && longer.charCodeAt(shorter.length) === 46; // '.'
}
