import type { EventStoreDBClient } from '@eventstore/db-client';
import { requireAsClient } from './protobuf-fast-deserializer.ts';

/** The grpc-js channel as far as this module uses it. */
interface GrpcChannel {
  close(): void;
}

interface GrpcChannelInternals {
  readonly internalChannel: {
    readonly credentials: unknown;
    readonly options: Readonly<Record<string, unknown>>;
    /** The target as the client gave it (the channel's own `target` may be a proxy's). */
    readonly channelzInfoTracker: { readonly target: string };
  };
}

type GrpcChannelClass = new (target: string, credentials: unknown, options: Record<string, unknown>) => GrpcChannel;

/** The client instance's channel factory: it builds the first channel and one per reconnection. */
interface ChannelFactory {
  createChannel: () => Promise<GrpcChannel>;
}

export const flowControlWindowOption = 'grpc-node.flow_control_window';

/**
 * Lets the store send up to `bytes` of reads and subscription pages ahead of what this connection
 * has consumed. grpc-js takes its HTTP/2 flow-control window (per stream and per connection) from
 * the channel option `grpc-node.flow_control_window`, 65,535 bytes without it, and the db-client
 * offers no way to set channel options. At 64 KiB a bulk read goes in turns: the store fills the
 * window (about a hundred profile events) and waits, idle, until the reader has handled them and
 * said so. A backfill's first pass over 200,000 profiles took 8.5-10 s so, and 6 s with 1 MiB.
 *
 * Each channel the client builds (channels connect lazily, so it has no socket yet) is replaced
 * by one with the same target, credentials and options, plus the window.
 */
export function widenFlowControlWindow(client: EventStoreDBClient, bytes: number): void {
  const { Channel } = requireAsClient<{ Channel: GrpcChannelClass }>('@grpc/grpc-js');
  const factory = client as unknown as ChannelFactory;
  const createChannel = factory.createChannel;
  factory.createChannel = async () => {
    const built = await createChannel();
    const internals = (built as unknown as Partial<GrpcChannelInternals>).internalChannel;
    // A grpc-js whose channel is built otherwise keeps its own window rather than failing to connect.
    if (typeof internals?.channelzInfoTracker?.target !== 'string') return built;
    const widened = new Channel(internals.channelzInfoTracker.target, internals.credentials, { ...internals.options, [flowControlWindowOption]: bytes });
    built.close();
    return widened;
  };
}
