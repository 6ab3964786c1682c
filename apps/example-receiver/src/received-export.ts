/** What the example receiver prints and lists for each export it gets. */
export interface ReceivedExport {
  readonly receivedAt: string;
  readonly method: string;
  /** Path and query string, as requested. */
  readonly path: string;
  /** The X-Export-* headers (lower-case names). */
  readonly exportHeaders: Readonly<Record<string, string>>;
  /** The authorization scheme only (`Bearer`), never the credential; `none` without one. */
  readonly auth: string;
  readonly document: unknown;
}

export interface IncomingExport {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly document: unknown;
  readonly receivedAt: Date;
}

export function describeExport(incoming: IncomingExport): ReceivedExport {
  const exportHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (name.toLowerCase().startsWith('x-export-') && value !== undefined) exportHeaders[name.toLowerCase()] = String(value);
  }
  const authorization = incoming.headers['authorization'];
  const auth = typeof authorization === 'string' && authorization !== '' ? (authorization.split(' ')[0] ?? 'none') : 'none';
  return {
    receivedAt: incoming.receivedAt.toISOString(),
    method: incoming.method,
    path: incoming.url,
    exportHeaders,
    auth,
    document: incoming.document,
  };
}

/** Keeps the last `capacity` exports, oldest first. */
export class RecentExports {
  readonly #capacity: number;
  readonly #items: ReceivedExport[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  add(item: ReceivedExport): void {
    this.#items.push(item);
    if (this.#items.length > this.#capacity) this.#items.splice(0, this.#items.length - this.#capacity);
  }

  list(): readonly ReceivedExport[] {
    return [...this.#items];
  }
}
