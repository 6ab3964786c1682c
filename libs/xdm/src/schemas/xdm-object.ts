import { z } from 'zod';
import { isPlainObject, isReservedKey, type JsonObject, type XdmObject } from '../json.ts';
import { fieldNameProblem } from '../xdm-path.ts';

const maxDepth = 32;

/** Top-level fields the profile keeps apart from attributes; they have their own events. */
export const nonAttributeFields: ReadonlyMap<string, string> = new Map([
  ['identityMap', 'identities are written with IdentitiesLinked / IdentitiesUnlinked'],
  ['segmentMembership', 'memberships are written with SegmentMembershipChanged'],
]);

type IssueSink = (path: readonly PropertyKey[], message: string) => void;

function checkFields(object: JsonObject, path: PropertyKey[], depth: number, report: IssueSink): void {
  for (const key of Object.keys(object)) {
    const problem = fieldNameProblem(key);
    if (problem) {
      report([...path, key], `field name ${problem}`);
      continue;
    }
    const reserved = path.length === 0 ? nonAttributeFields.get(key) : undefined;
    if (reserved) {
      report([...path, key], `is not an attribute: ${reserved}`);
      continue;
    }
    const value = object[key];
    // Most fields are valid leaves: checkValue would find nothing to report, so no path is built.
    if (depth + 1 <= maxDepth && isValidLeaf(value)) continue;
    checkValue(value, [...path, key], depth + 1, report, true);
  }
}

function isValidLeaf(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function checkValue(value: unknown, path: PropertyKey[], depth: number, report: IssueSink, isField: boolean): void {
  if (depth > maxDepth) return report(path, `nests deeper than ${maxDepth} levels`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) report(path, 'must be a finite number');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkValue(item, [...path, index], depth + 1, report, false));
    return;
  }
  if (!isPlainObject(value)) return report(path, 'must be a JSON value');
  if (isField) return checkFields(value, path, depth, report);
  // Objects inside arrays are opaque values: any key but the reserved ones.
  for (const key of Object.keys(value)) {
    if (isReservedKey(key)) report([...path, key], `'${key}' is a reserved name`);
    else checkValue(value[key], [...path, key], depth + 1, report, false);
  }
}

/**
 * A partial XDM object as written by `ProfileAttributesWritten`: nested objects of XDM field
 * names whose leaves are JSON values (arrays are leaves; `null` removes). Reserved keys
 * (`__proto__`, `constructor`, `prototype`) and the `identityMap` / `segmentMembership`
 * fields are refused, each issue naming the path.
 */
export const xdmAttributesSchema = z
  .custom<XdmObject>((value) => isPlainObject(value), { error: 'must be an object of XDM fields' })
  .superRefine((value, context) => {
    checkFields(value, [], 0, (path, message) => context.addIssue({ code: 'custom', path: [...path], message }));
  });
