import { describe, expect, it } from 'vitest';
import { applyAttributeWrite } from './xdm-merge.ts';
import { InvalidXdmPathError } from './xdm-path.ts';

const before = {
  person: { name: { firstName: 'John', lastName: 'Doe' } },
  personalEmail: { address: 'john.doe@acme.com' },
};

describe('applyAttributeWrite', () => {
  it('sets leaves, keeps siblings and reports every leaf written', () => {
    const { attributes, written } = applyAttributeWrite(before, { person: { name: { firstName: 'Jane' }, birthDate: '1990-02-03' } });
    expect(attributes).toEqual({
      person: { name: { firstName: 'Jane', lastName: 'Doe' }, birthDate: '1990-02-03' },
      personalEmail: { address: 'john.doe@acme.com' },
    });
    expect(written).toEqual(['person.name.firstName', 'person.birthDate']);
    expect(attributes['personalEmail']).toBe(before.personalEmail);
  });

  it('counts a write of an unchanged value and returns the same state object', () => {
    const { attributes, written } = applyAttributeWrite(before, { person: { name: { firstName: 'John' } } });
    expect(written).toEqual(['person.name.firstName']);
    expect(attributes).toBe(before);
  });

  it('removes a null leaf and the parents it leaves empty, and counts the removal as a write', () => {
    const { attributes, written } = applyAttributeWrite(before, { personalEmail: { address: null } });
    expect(attributes).toEqual({ person: before.person });
    expect(written).toEqual(['personalEmail.address']);
  });

  it('removes a whole subtree when its root is set to null', () => {
    const { attributes, written } = applyAttributeWrite(before, { person: { name: null } });
    expect(attributes).toEqual({ personalEmail: before.personalEmail });
    expect(written).toEqual(['person.name']);
  });

  it('counts removing an absent attribute as a write without changing the state', () => {
    const { attributes, written } = applyAttributeWrite(before, { person: { gender: null } });
    expect(attributes).toBe(before);
    expect(written).toEqual(['person.gender']);
  });

  it('writes arrays as whole values', () => {
    const { attributes, written } = applyAttributeWrite({ tags: ['a', 'b'] }, { tags: ['c'] });
    expect(attributes).toEqual({ tags: ['c'] });
    expect(written).toEqual(['tags']);
  });

  it('treats an empty object as writing nothing', () => {
    const { attributes, written } = applyAttributeWrite(before, { person: {} });
    expect(attributes).toBe(before);
    expect(written).toEqual([]);
  });

  it('replaces a leaf by an object when a write nests under it, but a removal under it leaves it', () => {
    expect(applyAttributeWrite({ a: 'x' }, { a: { b: 1 } }).attributes).toEqual({ a: { b: 1 } });
    expect(applyAttributeWrite({ a: 'x' }, { a: { b: null } }).attributes).toEqual({ a: 'x' });
  });

  it('refuses a __proto__ key in the write and pollutes nothing', () => {
    const hostile = JSON.parse('{"person": {"__proto__": {"polluted": "yes"}}}') as Record<string, never>;
    expect(() => applyAttributeWrite(before, hostile)).toThrow(InvalidXdmPathError);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
