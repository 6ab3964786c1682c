export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly notes?: readonly string[];
}

/**
 * A Markdown table with padded columns: readable in a terminal and pasteable into a README.
 * The first column is left-aligned, the others (figures) right-aligned.
 */
export function renderTable(table: Table): string {
  const widths = table.columns.map((column, index) =>
    Math.max(column.length, 3, ...table.rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${widths.map((width, index) => (index === 0 ? (cells[index] ?? '').padEnd(width) : (cells[index] ?? '').padStart(width))).join(' | ')} |`;
  const rule = `|${widths.map((width, index) => (index === 0 ? ` ${'-'.repeat(width)} ` : ` ${'-'.repeat(width - 1)}: `)).join('|')}|`;
  const notes = (table.notes ?? []).map((note) => `- ${note}`);
  return [`### ${table.title}`, '', line(table.columns), rule, ...table.rows.map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 12,345 for large figures, 3 significant digits for small ones. */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 100) return grouped.format(value);
  return Number(value.toPrecision(3)).toString();
}

export const mebibyte = 2 ** 20;

/** Bytes as MiB, formatted as any figure. */
export function formatMebibytes(bytes: number): string {
  return formatFigure(bytes / mebibyte);
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a';
}
