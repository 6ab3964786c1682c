import { describe, expect, it } from 'vitest';
import { InvalidUuidError, normalizeUuid } from './uuid.ts';

const canonical = 'f3a1c9e2-7b4d-4e8a-9c1f-0a2b3c4d5e6f';

describe('normalizeUuid', () => {
  it.each([
    ['the canonical form', canonical],
    ['upper case', canonical.toUpperCase()],
    ['mixed case', 'F3a1C9e2-7B4d-4E8a-9C1f-0A2b3C4d5E6f'],
    ['the N form', canonical.replaceAll('-', '')],
    ['the B form', `{${canonical}}`],
    ['the P form', `(${canonical.toUpperCase()})`],
    ['surrounding whitespace', `  ${canonical}\n`],
  ])('reads %s as the canonical lower-case form', (_name, value) => {
    expect(normalizeUuid(value)).toBe(canonical);
  });

  it.each([
    ['a non-hex digit', 'g3a1c9e2-7b4d-4e8a-9c1f-0a2b3c4d5e6f'],
    ['a hyphen out of place', 'f3a1c9e27-b4d-4e8a-9c1f-0a2b3c4d5e6f'],
    ['a missing hyphen', 'f3a1c9e2-7b4d-4e8a-9c1f0-a2b3c4d5e6f'],
    ['36 characters without hyphens', `${canonical.replaceAll('-', '')}0000`],
    ['one character short', canonical.slice(1)],
    ['an empty string', ''],
  ])('refuses %s', (_name, value) => {
    expect(() => normalizeUuid(value)).toThrow(InvalidUuidError);
  });
});
