/** Deep equality of JSON data, ignoring key order and absent (undefined) properties. */
export function sameData(left: unknown, right: unknown): boolean {
  return canonicalJson(left) === canonicalJson(right);
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) Object.defineProperty(sorted, key, { value: sortKeys(item), enumerable: true, writable: true, configurable: true });
  }
  return sorted;
}
