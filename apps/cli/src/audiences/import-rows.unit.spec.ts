import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../cli/parse-command-line.ts';
import { columnLayout, parseAttributeMapping, readRow, type ColumnLayout } from './import-rows.ts';

const layout = columnLayout(['email', 'first_name', 'age', 'vip'], 'email', [
  { column: 'first_name', path: 'person.name.firstName', type: 'string' },
  { column: 'age', path: 'person.age', type: 'number' },
  { column: 'vip', path: 'loyalty.vip', type: 'boolean' },
]) as ColumnLayout;

describe('reading an import row', () => {
  it('makes a member of a good row: the identity cell is the profile id, typed attributes, empty cells left out', () => {
    expect(readRow({ fields: ['ada@example.com', 'Ada', ' 36 ', 'TRUE'], line: 2 }, layout)).toMatchObject({
      kind: 'member',
      line: 2,
      profileId: 'ada@example.com',
      attributes: { person: { name: { firstName: 'Ada' }, age: 36 }, loyalty: { vip: true } },
    });
    expect(readRow({ fields: ['bob@example.com', '', '', ''], line: 3 }, layout)).toMatchObject({ kind: 'member', attributes: undefined });
  });

  it('hashes what the row says, so only a changed identity or mapped cell changes it', () => {
    const hash = (fields: string[]) => (readRow({ fields, line: 2 }, layout) as { rowHash: string }).rowHash;
    expect(hash(['a', 'Ada', '36', 'true'])).toBe(hash(['a', 'Ada', '36', 'true']));
    expect(hash(['a', 'Ada', '36', 'true'])).not.toBe(hash(['a', 'Ada', '37', 'true']));
  });

  it.each([
    [['a', 'Ada', '36'], '3 columns, the header has 4'],
    [['  ', 'Ada', '36', 'true'], 'the identity is empty'],
    [['has space', 'Ada', '36', 'true'], 'the identity must not contain whitespace or control characters'],
    [['a', 'Ada', '3x', 'true'], "age: '3x' is not a number"],
    [['a', 'Ada', '36', 'yes'], "vip: 'yes' is not a boolean"],
  ])('reports %j as a bad row: %s', (fields, reason) => {
    expect(readRow({ fields, line: 7 }, layout)).toEqual({ kind: 'bad', line: 7, reason });
  });

  it('reports a malformed CSV record with the splitter problem', () => {
    expect(readRow({ fields: ['a', 'A"da', '1', 'true'], line: 9, problem: 'a quote inside an unquoted field' }, layout)).toEqual({
      kind: 'bad',
      line: 9,
      reason: 'a quote inside an unquoted field',
    });
  });
});

describe('import options', () => {
  it('reads attribute mappings and refuses wrong ones', () => {
    expect(parseAttributeMapping('age=person.age:number')).toEqual({ column: 'age', path: 'person.age', type: 'number' });
    expect(parseAttributeMapping('name=person.name.firstName')).toEqual({ column: 'name', path: 'person.name.firstName', type: 'string' });
    expect(parseAttributeMapping('person.age')).toContain('must be <column>=<xdm.path>');
    expect(parseAttributeMapping('age=person..age')).toContain('is not an XDM path');
    expect(parseAttributeMapping('ids=identityMap.email')).toContain('is not an attribute path');
    expect(parseAttributeMapping('age=person.age:date')).toContain('must be string, number or boolean');
  });

  it('names a missing identity or attribute column with the header', () => {
    expect(columnLayout(['id', 'name'], 'email', [])).toBe("the identity column 'email' is not in the header (id, name)");
    expect(columnLayout(['id', 'name'], undefined, [{ column: 'age', path: 'person.age', type: 'number' }])).toBe(
      "the attribute column 'age' is not in the header (id, name)",
    );
    expect(columnLayout([' id ', 'name'], undefined, [])).toEqual({ width: 2, identityIndex: 0, attributes: [] });
  });

  it('parses the command line, with repeated --attribute', () => {
    const argv = ['audiences', 'import', 'list.csv', '--id', 'news', '--name', 'News', '--attribute', 'a=x.a', '--attribute', 'b=x.b:boolean'];
    expect(parseCommandLine(argv).command).toEqual({
      name: 'audiences import',
      file: 'list.csv',
      audienceId: 'news',
      audienceName: 'News',
      mergePolicyId: 'default',
      identityColumn: undefined,
      identityNamespace: undefined,
      attributes: [
        { column: 'a', path: 'x.a', type: 'string' },
        { column: 'b', path: 'x.b', type: 'boolean' },
      ],
      concurrency: 64,
    });
    expect(() => parseCommandLine(['audiences', 'import', 'list.csv', '--id', 'news', '--name', 'News', '--attribute', 'oops'])).toThrow('--attribute');
  });
});
