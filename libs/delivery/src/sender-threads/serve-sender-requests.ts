import type { MessagePort } from 'node:worker_threads';
import type { HttpClient, PreparedPost } from '../http-client.ts';
import { createExportClients } from '../tls/export-connections.ts';
import { createMessageBatcher, type FromSender, type SenderThreadData, type SentError, type ToSender } from './sender-messages.ts';

/** The sender thread's side: destination clients made here, their POSTs sent from here, each answer posted back. */
export function serveSenderRequests(port: MessagePort, data: SenderThreadData): void {
  const createClient = createExportClients(data.connections, data.dnsServers);
  const clients = new Map<number, HttpClient>();
  const posts = new Map<number, { readonly client: number; readonly send: PreparedPost }>();
  const signals = new Map<number, AbortController>();
  // Answers that arrive in one turn of the loop go back together.
  const reply = createMessageBatcher<FromSender>((batch) => port.postMessage(batch), setImmediate);

  const signalOf = (id: number): AbortSignal => {
    let controller = signals.get(id);
    if (controller === undefined) {
      controller = new AbortController();
      signals.set(id, controller);
    }
    return controller.signal;
  };

  const handle = (message: ToSender): void => {
    switch (message.kind) {
      case 'open':
        clients.set(message.client, createClient(message));
        return;
      case 'prepare': {
        const client = clients.get(message.client);
        if (client === undefined) throw new Error(`sender thread: post ${message.post} prepared for client ${message.client}, which is not open`);
        posts.set(message.post, { client: message.client, send: client.prepare(message.template) });
        return;
      }
      case 'post': {
        const post = posts.get(message.post);
        // A defect, not the endpoint's doing: as an export's failure it would be dead-lettered.
        if (post === undefined) throw new Error(`sender thread: post ${message.post} is not prepared (or its client was closed)`);
        post.send({ headers: message.headers, body: message.body, signal: message.signal === undefined ? undefined : signalOf(message.signal) }).then(
          (answer) => reply({ id: message.id, statusCode: answer.statusCode, ...(answer.retryAfter === undefined ? {} : { retryAfter: answer.retryAfter }) }),
          (error: unknown) => reply({ id: message.id, error: sentError(error) }),
        );
        return;
      }
      case 'abort':
        signals.get(message.signal)?.abort();
        signals.delete(message.signal);
        return;
      case 'close':
        clients.get(message.client)?.close();
        clients.delete(message.client);
        for (const [id, post] of posts) if (post.client === message.client) posts.delete(id);
        return;
      default:
        throw new Error(`sender thread: unknown message ${JSON.stringify(message satisfies never)}`);
    }
  };
  port.on('message', (batch: readonly ToSender[]) => {
    for (const message of batch) handle(message);
  });
}

function sentError(error: unknown): SentError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}
