import { describe, expect, it } from 'vitest';
import { CsvRecordSplitter, splitCsv } from './csv-records.ts';

/** Feeds the text one character at a time: every chunk boundary a file read could produce. */
function splitByCharacter(text: string) {
  const splitter = new CsvRecordSplitter();
  const records = [...text].flatMap((character) => splitter.push(character));
  return [...records, ...splitter.end()];
}

describe('the CSV record splitter', () => {
  it('splits plain records, with or without a final line end', () => {
    expect(splitCsv('id,name\np1,Ann\np2,Bob\n')).toEqual([
      { fields: ['id', 'name'], line: 1 },
      { fields: ['p1', 'Ann'], line: 2 },
      { fields: ['p2', 'Bob'], line: 3 },
    ]);
    expect(splitCsv('a,b\nc,d').map((r) => r.fields)).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('reads quoted fields with escaped quotes, commas and newlines, counting lines inside them', () => {
    const text = 'id,note\np1,"says ""hi"", then, leaves"\np2,"two\nlines"\np3,"crlf\r\ninside"\np4,last\n';
    expect(splitCsv(text)).toEqual([
      { fields: ['id', 'note'], line: 1 },
      { fields: ['p1', 'says "hi", then, leaves'], line: 2 },
      { fields: ['p2', 'two\nlines'], line: 3 },
      { fields: ['p3', 'crlf\r\ninside'], line: 5 },
      { fields: ['p4', 'last'], line: 7 },
    ]);
  });

  it('takes CRLF and lone CR line ends, a BOM, and skips blank lines', () => {
    expect(splitCsv('\uFEFFid,name\r\np1,Ann\r\n\r\np2,Bob\rp3,Cy\r\n')).toEqual([
      { fields: ['id', 'name'], line: 1 },
      { fields: ['p1', 'Ann'], line: 2 },
      { fields: ['p2', 'Bob'], line: 4 },
      { fields: ['p3', 'Cy'], line: 5 },
    ]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const text = '\uFEFFid,"a ""q"""\r\np1,"x\r\ny,z"\r\np2,,\r\n"",b\n';
    expect(splitByCharacter(text)).toEqual(splitCsv(text));
    expect(splitCsv(text).map((r) => r.line)).toEqual([1, 2, 4, 5]);
  });

  it('keeps empty fields', () => {
    expect(splitCsv('a,,\n,\n""\n').map((r) => r.fields)).toEqual([['a', '', ''], ['', ''], ['']]);
  });

  it('marks malformed records with their line and goes on', () => {
    const records = splitCsv('id,name\np1,An"n\np2,"Bob"x\np3,ok\np4,"never closed\n');
    expect(records.map((r) => [r.line, r.problem])).toEqual([
      [1, undefined],
      [2, 'a quote inside an unquoted field'],
      [3, 'text after a closing quote'],
      [4, undefined],
      [5, 'a quoted field is not closed before the end of the file'],
    ]);
    expect(records[3]!.fields).toEqual(['p3', 'ok']);
  });
});
