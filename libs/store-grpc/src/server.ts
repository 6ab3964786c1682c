import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { StoreEngine } from '@spillway/store-engine';
import type { Logger } from '@spillway/runtime';
import { serverFeaturesGrpc, streamsService } from './protocol.ts';
import type { ReadMessage, ReadReq } from './protocol.ts';
import { ActiveCalls } from './active-calls.ts';
import { handleAppend } from './append.ts';
import { handleBatchAppend } from './batch-append.ts';
import { CallWriter } from './call-writer.ts';
import { coalesceWrites } from './coalesced-writes.ts';
import { handleDelete, handleTombstone } from './delete.ts';
import { rpcErrors } from './errors.ts';
import type { StoreRpcError } from './errors.ts';
import { InvalidFilterError } from './filter.ts';
import { serveAllRead, serveStreamRead } from './read.ts';
import { decodeReadRequest, InvalidReadRequestError } from './read-request.ts';
import type { ReadRequest } from './read-request.ts';
import { handleGetSupportedMethods } from './server-features.ts';
import { engineRpcError } from './engine-errors.ts';
import { serveAllSubscription, serveStreamSubscription } from './subscription.ts';

export interface StoreServerOptions {
  readonly engine: StoreEngine;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  /** Largest request message accepted; batch-append chunks reach ~3 MiB. Default 17 MiB, as a real server. */
  readonly maxReceiveMessageLength?: number;
  /** EventStoreDB's MaxAppendSize: the summed size of one append's events. Default 1 MiB. */
  readonly maxAppendSize?: number;
}

export interface StoreServer {
  readonly port: number;
  /** Subscriptions currently doing work on the server (for tests and diagnostics). */
  activeSubscriptions(): number;
  /** Stops accepting calls, ends subscriptions, waits for in-flight appends. Does not close the engine. */
  stop(): Promise<void>;
}

const defaultMaxReceiveMessageLength = 17 * 1024 * 1024;
const defaultMaxAppendSize = 1024 * 1024;
const shutdownGraceMs = 3_000;

export async function startStoreServer(options: StoreServerOptions): Promise<StoreServer> {
  const { engine, logger } = options;
  const calls = new ActiveCalls();
  const limits = { maxAppendSize: options.maxAppendSize ?? defaultMaxAppendSize };
  const server = new Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageLength ?? defaultMaxReceiveMessageLength,
    'grpc.max_send_message_length': -1,
  });

  server.addService(serverFeaturesGrpc.ServerFeaturesService, { getSupportedMethods: handleGetSupportedMethods() });
  server.addService(streamsService, {
    read: (call: ServerWritableStream<ReadReq, ReadMessage>) => void serveRead(engine, calls, logger, call),
    append: handleAppend(engine, limits, logger, (work) => calls.track(work)),
    batchAppend: handleBatchAppend(engine, limits, logger, calls),
    delete: handleDelete(engine, logger, calls),
    tombstone: handleTombstone(engine, logger, calls),
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    );
  });

  let stopping: Promise<void> | undefined;
  return {
    port,
    activeSubscriptions: () => calls.activeSubscriptions,
    stop: () => {
      stopping ??= (async () => {
        const drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
        await calls.shutdown();
        const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), shutdownGraceMs).unref());
        if ((await Promise.race([drained, timer])) === 'timeout') {
          logger.warn('calls still open after the shutdown grace period, cancelling them', { graceMs: shutdownGraceMs });
          server.forceShutdown();
        }
      })();
      return stopping;
    },
  };
}

async function serveRead(engine: StoreEngine, calls: ActiveCalls, logger: Logger, call: ServerWritableStream<ReadReq, ReadMessage>): Promise<void> {
  coalesceWrites(call);
  const writer = new CallWriter<ReadMessage>(call);
  const unregister = calls.register(() => fail(rpcErrors.shuttingDown()));
  function fail(error: StoreRpcError) {
    if (writer.isOpen) call.emit('error', error);
  }
  try {
    const request = decodeReadRequest(call.request);
    await serveDecodedRead(engine, calls, request, writer);
    if (writer.isOpen) call.end();
  } catch (error) {
    fail(readError(error, logger));
  } finally {
    unregister();
  }
}

function serveDecodedRead(engine: StoreEngine, calls: ActiveCalls, request: ReadRequest, writer: CallWriter<ReadMessage>): Promise<void> {
  const hooks = { started: (id: string) => calls.subscriptionStarted(id) };
  switch (request.kind) {
    case 'read-stream':
      return serveStreamRead(engine, request, writer);
    case 'read-all':
      return serveAllRead(engine, request, writer);
    case 'subscribe-stream':
      return serveStreamSubscription(engine, request, writer, hooks);
    case 'subscribe-all':
      return serveAllSubscription(engine, request, writer, hooks);
    default: {
      const unreachable: never = request;
      throw new Error(`unexpected read request ${String(unreachable)}`);
    }
  }
}

function readError(error: unknown, logger: Logger): StoreRpcError {
  if (isRpcError(error)) return error;
  if (error instanceof InvalidReadRequestError || error instanceof InvalidFilterError) return rpcErrors.invalidArgument(error.message);
  if (error instanceof SyntaxError || error instanceof RangeError) return rpcErrors.invalidArgument(error.message);
  return engineRpcError(error, logger, { operation: 'read' });
}

function isRpcError(error: unknown): error is StoreRpcError {
  return error instanceof Error && typeof (error as Partial<StoreRpcError>).code === 'number' && 'metadata' in error;
}
