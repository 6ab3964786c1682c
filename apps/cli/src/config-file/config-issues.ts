import { isPlainObject } from '@spillway/xdm';
import type { z } from 'zod';
import { knownFields } from './config-file-schema.ts';

/** One problem in a config file: where (as a path into the document) and what is wrong. */
export interface ConfigIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * The issues of a zod error in the words a config file's author needs: an unknown key is
 * reported on the key itself with the fields that are accepted there, and a missing field
 * says "is required" rather than what type it should have had.
 */
export function configIssues(error: z.ZodError, document: unknown, prefix: readonly PropertyKey[] = []): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key], message: unknownFieldMessage(path) }));
    if (issue.code === 'invalid_type' && isMissing(document, path)) return [{ path, message: 'is required' }];
    if (issue.code === 'invalid_key' && issue.issues.length > 0) return [{ path, message: issue.issues.map((inner) => inner.message).join(', ') }];
    return [{ path, message: issue.message }];
  });
}

function unknownFieldMessage(path: readonly PropertyKey[]): string {
  const place = path.filter((segment) => typeof segment === 'string').join('.');
  const known = knownFields.get(place);
  return known ? `is not a known field; expected one of ${known.join(', ')}` : 'is not a known field here';
}

/** True when the last key of `path` is absent from its parent object in the document. */
function isMissing(document: unknown, path: readonly PropertyKey[]): boolean {
  const key = path.at(-1);
  if (typeof key !== 'string') return false;
  let parent: unknown = document;
  for (const segment of path.slice(0, -1)) {
    if (Array.isArray(parent) && typeof segment === 'number') parent = parent[segment];
    else if (isPlainObject(parent) && typeof segment === 'string' && Object.hasOwn(parent, segment)) parent = parent[segment];
    else return false;
  }
  return isPlainObject(parent) && !Object.hasOwn(parent, key);
}
