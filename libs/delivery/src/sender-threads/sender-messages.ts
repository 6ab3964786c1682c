import type { PostTemplate } from '../http-client.ts';
import type { ExportClientSettings, ExportConnectionSettings } from '../tls/export-connections.ts';

/** What a sender thread is started with: how its connections are made, as in the agent's thread. */
export interface SenderThreadData {
  readonly connections: ExportConnectionSettings;
  /** `SPILLWAY_DNS_SERVERS`, when set. */
  readonly dnsServers?: readonly string[];
}

/** A new destination client, made in the thread by `createExportClients` as in the agent's thread. */
export interface OpenClient extends ExportClientSettings {
  readonly kind: 'open';
  readonly client: number;
}

export interface PreparePost {
  readonly kind: 'prepare';
  readonly post: number;
  readonly client: number;
  readonly template: PostTemplate;
}

export interface SendPost {
  readonly kind: 'post';
  readonly id: number;
  readonly post: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  /** The number of the caller's abort signal, when it gave one. */
  readonly signal?: number;
}

/** The caller's signal aborted: the requests in flight under it are destroyed. */
export interface AbortPosts {
  readonly kind: 'abort';
  readonly signal: number;
}

/** The destination's client is closed, and its prepared posts forgotten. */
export interface CloseClient {
  readonly kind: 'close';
  readonly client: number;
}

export type ToSender = OpenClient | PreparePost | SendPost | AbortPosts | CloseClient;

/** Only what the caller reads of an error: its name, code and message. */
export interface SentError {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
}

export type FromSender =
  | { readonly id: number; readonly statusCode: number; readonly retryAfter?: string }
  | { readonly id: number; readonly error: SentError };

/** Collects messages and posts them as one array once per `schedule` turn: one structured clone per batch, not per message. */
export function createMessageBatcher<T>(post: (batch: T[]) => void, schedule: (flush: () => void) => void): (message: T) => void {
  let batch: T[] = [];
  const flush = () => {
    const sent = batch;
    batch = [];
    post(sent);
  };
  return (message) => {
    if (batch.length === 0) schedule(flush);
    batch.push(message);
  };
}
