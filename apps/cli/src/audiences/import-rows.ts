import { createHash } from 'node:crypto';
import { idSchema, pathProblem, setPath, xdmAttributesSchema, type JsonObject } from '@spillway/xdm';
import type { CsvRecord } from './csv/csv-records.ts';

export type AttributeType = 'string' | 'number' | 'boolean';

/** `--attribute <column>=<xdm.path>[:number|:boolean]`: a CSV column written as a profile attribute. */
export interface AttributeMapping {
  readonly column: string;
  readonly path: string;
  readonly type: AttributeType;
}

/** A row that becomes a member: its profile id, the attributes it writes, and a hash of what it says. */
export interface MemberRow {
  readonly kind: 'member';
  readonly line: number;
  readonly profileId: string;
  readonly attributes: JsonObject | undefined;
  /** Changes when the identity or a mapped attribute changes; unmapped columns do not count. */
  readonly rowHash: string;
}

export interface BadRow {
  readonly kind: 'bad';
  readonly line: number;
  readonly reason: string;
}

/** Where the identity and attribute columns are in the header; throws a message on a missing column. */
export interface ColumnLayout {
  readonly width: number;
  readonly identityIndex: number;
  readonly attributes: readonly (AttributeMapping & { readonly index: number })[];
}

/** Parses `<column>=<xdm.path>[:number|:boolean|:string]`; returns a message when it is wrong. */
export function parseAttributeMapping(text: string): AttributeMapping | string {
  const equals = text.indexOf('=');
  if (equals <= 0) return `'${text}' must be <column>=<xdm.path>, e.g. first_name=person.name.firstName`;
  const column = text.slice(0, equals);
  const [path = '', type = 'string', ...extra] = text.slice(equals + 1).split(':');
  const problem = pathProblem(path);
  if (problem) return `'${text}': ${path} is not an XDM path (${problem})`;
  if (extra.length > 0 || (type !== 'string' && type !== 'number' && type !== 'boolean')) {
    return `'${text}': the type after ':' must be string, number or boolean`;
  }
  // Paths the profile does not take as attributes (identityMap, segmentMembership...) are refused here, not on every row.
  const sample = xdmAttributesSchema.safeParse(setPath({}, path, ''));
  if (!sample.success) return `'${text}': ${path} is not an attribute path (${sample.error.issues[0]?.message ?? 'refused'})`;
  return { column, path, type };
}

export function columnLayout(header: readonly string[], identityColumn: string | undefined, attributes: readonly AttributeMapping[]): ColumnLayout | string {
  const columns = header.map((name) => name.trim());
  const identity = identityColumn ?? columns[0] ?? '';
  const identityIndex = columns.indexOf(identity);
  if (identityIndex < 0) return `the identity column '${identity}' is not in the header (${columns.join(', ')})`;
  const mapped: (AttributeMapping & { index: number })[] = [];
  for (const mapping of attributes) {
    const index = columns.indexOf(mapping.column);
    if (index < 0) return `the attribute column '${mapping.column}' is not in the header (${columns.join(', ')})`;
    mapped.push({ ...mapping, index });
  }
  return { width: columns.length, identityIndex, attributes: mapped };
}

/** A data record as a member, or why it is a bad row. An empty attribute cell writes nothing. */
export function readRow(record: CsvRecord, layout: ColumnLayout): MemberRow | BadRow {
  const bad = (reason: string): BadRow => ({ kind: 'bad', line: record.line, reason });
  if (record.problem) return bad(record.problem);
  if (record.fields.length !== layout.width) return bad(`${record.fields.length} columns, the header has ${layout.width}`);
  const profileId = record.fields[layout.identityIndex]!.trim();
  if (profileId === '') return bad('the identity is empty');
  const idCheck = idSchema.safeParse(profileId);
  if (!idCheck.success) return bad(`the identity ${idCheck.error.issues[0]?.message ?? 'is not a valid id'}`);
  const hash = createHash('sha1').update(profileId);
  let attributes: JsonObject | undefined;
  for (const mapping of layout.attributes) {
    const cell = record.fields[mapping.index]!;
    hash.update('\u001f').update(cell);
    if (cell === '') continue;
    const value = typedValue(cell, mapping.type);
    if (value === undefined) return bad(`${mapping.column}: '${cell}' is not a ${mapping.type}`);
    attributes = setPath(attributes ?? {}, mapping.path, value);
  }
  if (attributes !== undefined) {
    const checked = xdmAttributesSchema.safeParse(attributes);
    if (!checked.success) return bad(`attributes: ${checked.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
  }
  return { kind: 'member', line: record.line, profileId, attributes, rowHash: hash.digest('base64url').slice(0, 16) };
}

function typedValue(cell: string, type: AttributeType): string | number | boolean | undefined {
  switch (type) {
    case 'string':
      return cell;
    case 'number': {
      const number = Number(cell.trim());
      return cell.trim() !== '' && Number.isFinite(number) ? number : undefined;
    }
    case 'boolean': {
      const lower = cell.trim().toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : undefined;
    }
    default: {
      const unknown: never = type;
      throw new Error(`unknown attribute type ${String(unknown)}`);
    }
  }
}
