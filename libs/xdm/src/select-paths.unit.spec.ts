import { describe, expect, it } from 'vitest';
import { PathTrie } from './path-trie.ts';
import { compileSelection, selectPaths } from './select-paths.ts';

const profile = {
  person: { name: { firstName: 'John', lastName: 'Doe' }, birthDate: '1980-01-01' },
  personalEmail: { address: 'john.doe@acme.com' },
  consents: { share: { val: 'y' } },
};

describe('selectPaths', () => {
  it('keeps the XDM nesting of the selected paths and omits absent ones', () => {
    expect(selectPaths(profile, ['person.name.firstName', 'personalEmail.address', 'person.gender', 'mobilePhone.number'])).toEqual({
      person: { name: { firstName: 'John' } },
      personalEmail: { address: 'john.doe@acme.com' },
    });
  });

  it('takes a whole subtree when an object path is selected, even with paths inside it also selected', () => {
    expect(selectPaths(profile, ['person.name.firstName', 'person.name'])).toEqual({ person: { name: profile.person.name } });
  });

  it('does not descend into a leaf when a path below it is selected', () => {
    expect(selectPaths(profile, ['person.birthDate.year'])).toEqual({});
  });

  it('accepts a compiled selection, reusable across profiles', () => {
    const selection = compileSelection(['person.name.lastName']);
    expect(selectPaths(profile, selection)).toEqual({ person: { name: { lastName: 'Doe' } } });
    expect(selectPaths({}, selection)).toEqual({});
  });

  it('does not copy selected values nor mutate the profile', () => {
    const selected = selectPaths(profile, ['person.name']);
    expect((selected['person'] as typeof profile.person).name).toBe(profile.person.name);
    expect(profile.person.birthDate).toBe('1980-01-01');
  });
});

describe('PathTrie.touching', () => {
  const trie = new PathTrie<string>()
    .add('person.name.firstName', 'first')
    .add('person.name', 'name')
    .add('personalEmail.address', 'email');

  it.each([
    ['person.name.firstName', ['first', 'name']],
    ['person.name', ['first', 'name']],
    ['person', ['first', 'name']],
    ['person.name.lastName', ['name']],
    ['person.name.firstName.extra', ['first', 'name']],
    ['person.birthDate', []],
    ['personalEmail', ['email']],
    ['mobilePhone.number', []],
    ['__proto__', []],
  ])('a write to %s touches %j', (path, expected) => {
    expect([...trie.touching(path)].sort()).toEqual([...expected].sort());
    expect(trie.touches(path)).toBe(expected.length > 0);
  });
});
