import { describe, expect, it } from 'vitest';
import { InvalidXdmPathError, deletePath, getPath, leafPaths, pathsOverlap, setPath, isXdmFieldName } from './xdm-path.ts';

const profile = {
  person: { name: { firstName: 'John', lastName: 'Doe' }, birthDate: '1980-01-01' },
  personalEmail: { address: 'john.doe@acme.com' },
  loyalty: { tiers: ['gold', 'silver'] },
};

describe('leafPaths', () => {
  it('lists every leaf of a partial object, null and arrays included, in document order', () => {
    expect(leafPaths({ person: { name: { firstName: 'J', lastName: null } }, tags: ['a'], empty: {} })).toEqual([
      'person.name.firstName',
      'person.name.lastName',
      'tags',
    ]);
  });
});

describe('getPath', () => {
  it('reads nested values and leaves absent paths undefined', () => {
    expect(getPath(profile, 'person.name.firstName')).toBe('John');
    expect(getPath(profile, 'person.name')).toEqual({ firstName: 'John', lastName: 'Doe' });
    expect(getPath(profile, 'person.gender')).toBeUndefined();
    expect(getPath(profile, 'person.birthDate.year')).toBeUndefined();
  });

  it('never reads through the prototype chain', () => {
    expect(getPath(profile, 'person.toString')).toBeUndefined();
    expect(getPath(profile, 'hasOwnProperty')).toBeUndefined();
  });
});

describe('setPath', () => {
  it('sets a nested value, copying only the objects on the path', () => {
    const updated = setPath(profile, 'person.name.firstName', 'Jane');
    expect(getPath(updated, 'person.name.firstName')).toBe('Jane');
    expect(profile.person.name.firstName).toBe('John');
    expect(updated['personalEmail']).toBe(profile.personalEmail);
    expect((updated['person'] as typeof profile.person).birthDate).toBe('1980-01-01');
  });

  it('creates missing parents and replaces a leaf met on the way', () => {
    expect(setPath({ a: 'leaf' }, 'a.b.c', 1)).toEqual({ a: { b: { c: 1 } } });
    expect(setPath({}, 'x.y', true)).toEqual({ x: { y: true } });
  });
});

describe('deletePath', () => {
  it('removes the leaf and any parent left empty', () => {
    expect(deletePath(profile, 'personalEmail.address')).not.toHaveProperty('personalEmail');
    const withoutFirst = deletePath(profile, 'person.name.firstName');
    expect(getPath(withoutFirst, 'person.name')).toEqual({ lastName: 'Doe' });
    const withoutName = deletePath({ a: { b: { c: 1 } } }, 'a.b.c');
    expect(withoutName).toEqual({});
  });

  it('returns the same object when there is nothing to delete', () => {
    expect(deletePath(profile, 'person.gender')).toBe(profile);
    expect(deletePath(profile, 'person.birthDate.year')).toBe(profile);
  });
});

describe('pathsOverlap', () => {
  it.each([
    ['person.name', 'person.name.firstName', true],
    ['person.name.firstName', 'person.name', true],
    ['person.name', 'person.name', true],
    ['person.name', 'person.nameSuffix', false],
    ['person.name.firstName', 'person.name.lastName', false],
  ])('%s and %s overlap: %s', (a, b, expected) => {
    expect(pathsOverlap(a, b)).toBe(expected);
  });
});

describe('hostile paths', () => {
  it.each(['__proto__.polluted', 'constructor.prototype.polluted', 'a.__proto__.polluted', 'prototype'])(
    'refuses to set %s and pollutes nothing',
    (path) => {
      expect(() => setPath({ a: {} }, path, 'yes')).toThrow(InvalidXdmPathError);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    },
  );

  it('refuses empty segments and names with dots', () => {
    expect(() => getPath(profile, 'person..name')).toThrow(/segment is empty/);
    expect(() => getPath(profile, '')).toThrow(/empty/);
  });

  it('treats an own __proto__ key from JSON.parse as data, never as a prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": "yes"}, "a": 1}') as Record<string, never>;
    expect(() => getPath(parsed, '__proto__.polluted')).toThrow(InvalidXdmPathError);
    expect(deletePath(parsed, 'a')).not.toHaveProperty('polluted');
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('isXdmFieldName', () => {
  const definition = /^[A-Za-z0-9_$@-]+$/;

  it('accepts exactly the names of one or more letters, digits, _, $, @ and -, for every UTF-16 code unit', () => {
    for (let code = 0; code <= 0xffff; code++) {
      const character = String.fromCharCode(code);
      for (const name of [character, `a${character}`, `${character}9`, `a${character}b`]) expect(isXdmFieldName(name), `\\u${code.toString(16)}`).toBe(definition.test(name));
    }
    for (const name of ['', 'firstName', 'x-y_z$@9', 'a.b', 'é', '😀', 'a b', '\n', 'name\n', '__proto__']) expect(isXdmFieldName(name), name).toBe(definition.test(name));
  });
});
