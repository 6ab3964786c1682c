import { jsonSyntaxReason } from '@spillway/runtime';
import { formatIssuePath } from '@spillway/xdm';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node } from 'yaml';
import type { ConfigIssue } from './config-issues.ts';
import type { DesiredConfig } from './desired-config.ts';
import { parseConfigDocument } from './parse-config-document.ts';

export type ConfigFormat = 'yaml' | 'json';

/** A problem with its place in the file: `destinations[0].auth.token`, on line 7. */
export interface LocatedIssue {
  readonly path: string;
  readonly line: number | undefined;
  readonly message: string;
}

/** The line of a field path in the file, when it can be found. */
export type Locate = (path: readonly PropertyKey[]) => number | undefined;

export type ParsedConfigText =
  | { readonly ok: true; readonly config: DesiredConfig; readonly locate: Locate }
  | { readonly ok: false; readonly issues: readonly LocatedIssue[] };

export function configFormatOf(fileName: string): ConfigFormat | undefined {
  if (/\.ya?ml$/i.test(fileName)) return 'yaml';
  if (/\.json$/i.test(fileName)) return 'json';
  return undefined;
}

/** Parses and validates a config file's text; every issue carries its field path and, when known, its line. */
export function parseConfigText(text: string, format: ConfigFormat): ParsedConfigText {
  const lines = new LineCounter();
  const yamlDocument = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  let document: unknown;
  if (format === 'json') {
    try {
      document = JSON.parse(text);
    } catch (error) {
      // The parser quotes the text around the mistake; it may be a pasted secret, so it is left out.
      const reason = jsonSyntaxReason(error);
      const line = yamlDocument.errors[0]?.linePos?.[0].line;
      return { ok: false, issues: [{ path: '(root)', line, message: `is not valid JSON: ${reason}` }] };
    }
  } else {
    const syntaxError = yamlDocument.errors[0];
    if (syntaxError) {
      const line = syntaxError.linePos?.[0].line;
      return { ok: false, issues: [{ path: '(root)', line, message: `is not valid YAML: ${firstLine(syntaxError).replace(/ at line \d+, column \d+:?$/, '')}` }] };
    }
    keepTextMapValuesAsWritten(yamlDocument);
    document = yamlDocument.toJS({ maxAliasCount: 100 });
  }
  const locate: Locate = yamlDocument.errors.length === 0 ? (path) => lineOf(yamlDocument, lines, path) : () => undefined;
  const parsed = parseConfigDocument(document);
  if (parsed.ok) return { ok: true, config: parsed.config, locate };
  return { ok: false, issues: parsed.issues.map((issue) => locateIssue(issue, locate)) };
}

/** The fields whose map values are sent as text: headers, query and token request parameters. */
const textMapFields = new Set(['headers', 'queryParams', 'extraTokenParams']);

/**
 * Their values are sent as written: YAML would read `1.10` as the number 1.1, `007` as 7 and
 * `0x1F` as 31, so a plain scalar there keeps its source text.
 */
function keepTextMapValuesAsWritten(yamlDocument: Document): void {
  visit(yamlDocument, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || !textMapFields.has(String(pair.key.value)) || !isMap(pair.value)) return;
      for (const item of pair.value.items) {
        if (isScalar(item.value) && typeof item.value.value !== 'string' && item.value.source !== undefined) item.value.value = item.value.source;
      }
    },
  });
}

export function locateIssue(issue: ConfigIssue, locate: Locate): LocatedIssue {
  return { path: formatIssuePath(issue.path), line: locate(issue.path), message: issue.message };
}

/** The line of the deepest node on `path` that exists (a map key's own line for its last segment). */
function lineOf(document: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = document.contents;
  let found: Node | undefined = isNodeWithRange(node) ? node : undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      if (isNodeWithRange(pair.key)) found = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (isNodeWithRange(node)) found = node;
    } else {
      break;
    }
  }
  return found?.range ? lines.linePos(found.range[0]).line : undefined;
}

function isNodeWithRange(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value && Array.isArray((value as Node).range);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
