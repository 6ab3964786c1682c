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

  /** The records completed by this chunk. */
  push(chunk: string): CsvRecord[] {
    const records: CsvRecord[] = [];
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // Unquoted runs are sliced, not appended char by char: most of a CSV file is plain text.
    let runStart = -1;
    const flushRun = (end: number) => {
      if (runStart >= 0) this.field += text.slice(runStart, end);
      runStart = -1;
    };
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (this.state === 'after-cr') {
        this.state = 'field-start';
        if (code === lf) continue;
      }
      switch (this.state) {
        case 'field-start':
        case 'unquoted':
          if (code === comma) {
            flushRun(index);
            this.endField();
          } else if (code === lf || code === cr) {
            flushRun(index);
            this.endRecord(records);
            this.line++;
            this.recordLine = this.line;
            if (code === cr) this.state = 'after-cr';
          } else if (code === quote && this.state === 'field-start') {
            this.state = 'quoted';
            this.recordHasContent = true;
            runStart = index + 1;
          } else {
            if (code === quote) this.problem ??= 'a quote inside an unquoted field';
            if (runStart < 0) runStart = index;
            this.state = 'unquoted';
            this.recordHasContent = true;
          }
          break;
        case 'quoted':
          if (code === quote) {
            flushRun(index);
            this.crInQuoted = false;
            this.state = 'quote-in-quoted';
          } else {
            // A quoted CRLF is one line end, even when a chunk ends between its two characters.
            if (code === cr || (code === lf && !this.crInQuoted)) this.line++;
            this.crInQuoted = code === cr;
            if (runStart < 0) runStart = index;
          }
          break;
        case 'quote-in-quoted':
          if (code === quote) {
            this.field += '"';
            this.state = 'quoted';
          } else if (code === comma) {
            this.endField();
          } else if (code === lf || code === cr) {
            this.endRecord(records);
            this.line++;
            this.recordLine = this.line;
            if (code === cr) this.state = 'after-cr';
          } else {
            this.problem ??= 'text after a closing quote';
            this.state = 'unquoted';
            runStart = index;
          }
          break;
        case 'after-cr':
          throw new Error('unreachable: after-cr is left at the top of the loop');
        default: {
          const unreachable: never = this.state;
          throw new Error(`unexpected CSV state ${String(unreachable)}`);
        }
      }
    }
    flushRun(text.length);
    return records;
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
