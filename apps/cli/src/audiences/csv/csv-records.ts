/** One CSV record: its fields and the 1-based line it starts on (quoted newlines make records span lines). */
export interface CsvRecord {
  readonly fields: readonly string[];
  readonly line: number;
  /** Why the record is malformed (a stray or unclosed quote); its fields are then best effort. */
  readonly problem?: string;
}

const quote = 34; // "
const comma = 44; // ,
const lf = 10;
const cr = 13;

type State = 'field-start' | 'unquoted' | 'quoted' | 'quote-in-quoted' | 'after-cr';

/**
 * An RFC 4180 record splitter fed text in chunks of any size (a chunk may end anywhere, even
 * between `\r` and `\n` or inside a quoted field), so a file of any length is parsed with memory
 * bounded by its longest record. Handles a leading BOM, `""` inside quotes, commas and newlines
 * inside quotes, LF, CRLF and lone CR line ends. A blank line is no record.
 */
export class CsvRecordSplitter {
  private state: State = 'field-start';
  private fields: string[] = [];
  private field = '';
  private line = 1;
  private recordLine = 1;
  private problem: string | undefined;
  private started = false;
  private recordHasContent = false;
  private crInQuoted = false;
  private text = '';
  private runStart = -1;

  /** The records completed by this chunk. */
  push(chunk: string): CsvRecord[] {
    const records: CsvRecord[] = [];
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.text = text;
    this.runStart = -1;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (this.state === 'after-cr') {
        this.state = 'field-start';
        if (code === lf) continue;
      }
      if (this.state === 'quoted') this.stepQuoted(code, index);
      else if (this.state === 'quote-in-quoted') this.stepAfterQuote(code, index, records);
      else this.stepUnquoted(code, index, records);
    }
    this.flushRun(text.length);
    this.text = '';
    return records;
  }

  private stepUnquoted(code: number, index: number, records: CsvRecord[]): void {
    if (code === comma) {
      this.flushRun(index);
      this.endField();
    } else if (code === lf || code === cr) {
      this.flushRun(index);
      this.endLine(code, records);
    } else if (code === quote && this.state === 'field-start') {
      this.state = 'quoted';
      this.recordHasContent = true;
      this.runStart = index + 1;
    } else {
      if (code === quote) this.problem ??= 'a quote inside an unquoted field';
      if (this.runStart < 0) this.runStart = index;
      this.state = 'unquoted';
      this.recordHasContent = true;
    }
  }

  private stepQuoted(code: number, index: number): void {
    if (code === quote) {
      this.flushRun(index);
      this.crInQuoted = false;
      this.state = 'quote-in-quoted';
      return;
    }
    // A quoted CRLF is one line end, even when a chunk ends between its two characters.
    if (code === cr || (code === lf && !this.crInQuoted)) this.line++;
    this.crInQuoted = code === cr;
    if (this.runStart < 0) this.runStart = index;
  }

  private stepAfterQuote(code: number, index: number, records: CsvRecord[]): void {
    if (code === quote) {
      this.field += '"';
      this.state = 'quoted';
    } else if (code === comma) {
      this.endField();
    } else if (code === lf || code === cr) {
      this.endLine(code, records);
    } else {
      this.problem ??= 'text after a closing quote';
      this.state = 'unquoted';
      this.runStart = index;
    }
  }

  /** Unquoted runs and quoted contents are sliced, not appended char by char: most of a file is plain text. */
  private flushRun(end: number): void {
    if (this.runStart >= 0) this.field += this.text.slice(this.runStart, end);
    this.runStart = -1;
  }

  private endLine(code: number, records: CsvRecord[]): void {
    this.endRecord(records);
    this.line++;
    this.recordLine = this.line;
    if (code === cr) this.state = 'after-cr';
  }

  /** The last record when the text does not end with a line end. */
  end(): CsvRecord[] {
    const records: CsvRecord[] = [];
    if (this.state === 'quoted') this.problem ??= 'a quoted field is not closed before the end of the file';
    if (this.state !== 'after-cr') this.endRecord(records);
    return records;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = 'field-start';
    this.recordHasContent = true;
  }

  private endRecord(into: CsvRecord[]): void {
    if (this.recordHasContent || this.fields.length > 0 || this.field !== '') {
      this.fields.push(this.field);
      into.push(this.problem === undefined ? { fields: this.fields, line: this.recordLine } : { fields: this.fields, line: this.recordLine, problem: this.problem });
    }
    this.fields = [];
    this.field = '';
    this.problem = undefined;
    this.recordHasContent = false;
    this.state = 'field-start';
  }
}

/** Every record of a whole text (for tests and small inputs). */
export function splitCsv(text: string): CsvRecord[] {
  const splitter = new CsvRecordSplitter();
  return [...splitter.push(text), ...splitter.end()];
}
