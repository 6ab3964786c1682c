import { createRequire } from 'node:module';
import { decodeBatchAppendReq } from './batch-append-wire.ts';
import type * as StreamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type * as StatusPb from '@eventstore/db-client/generated/status_pb.js';
import type * as ServerFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import type * as ServerFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type * as AnyPb from 'google-protobuf/google/protobuf/any_pb.js';
import type * as EmptyPb from 'google-protobuf/google/protobuf/empty_pb.js';

/**
 * The client's own generated modules, loaded through `require` so that the server builds its
 * messages with the very classes the serializers of the service definitions check against.
 */
const requireFromHere = createRequire(import.meta.url);
const requireFromClient = createRequire(requireFromHere.resolve('@eventstore/db-client/generated/streams_pb.js'));

export const streamsGrpc = requireFromHere('@eventstore/db-client/generated/streams_grpc_pb.js') as typeof StreamsGrpc;
export const streamsPb = requireFromHere('@eventstore/db-client/generated/streams_pb.js') as typeof StreamsPb;
export const sharedPb = requireFromHere('@eventstore/db-client/generated/shared_pb.js') as typeof SharedPb;
export const statusPb = requireFromHere('@eventstore/db-client/generated/status_pb.js') as typeof StatusPb;
export const serverFeaturesGrpc = requireFromHere(
  '@eventstore/db-client/generated/serverfeatures_grpc_pb.js',
) as typeof ServerFeaturesGrpc;
export const serverFeaturesPb = requireFromHere(
  '@eventstore/db-client/generated/serverfeatures_pb.js',
) as typeof ServerFeaturesPb;
export const anyPb = requireFromClient('google-protobuf/google/protobuf/any_pb.js') as typeof AnyPb;
export const emptyPb = requireFromClient('google-protobuf/google/protobuf/empty_pb.js') as typeof EmptyPb;

export type ReadReq = StreamsPb.ReadReq;
export type ReadResp = StreamsPb.ReadResp;
/** A ReadResp, or one already serialized (see read-event-wire.ts). */
export type ReadMessage = StreamsPb.ReadResp | Buffer;
export type AppendReq = StreamsPb.AppendReq;
export type AppendResp = StreamsPb.AppendResp;
export type BatchAppendReq = StreamsPb.BatchAppendReq;
export type BatchAppendResp = StreamsPb.BatchAppendResp;
/** A BatchAppendResp, or a successful one already serialized (see batch-append-answer-wire.ts). */
export type BatchAppendMessage = StreamsPb.BatchAppendResp | Buffer;
export type DeleteReq = StreamsPb.DeleteReq;
export type DeleteResp = StreamsPb.DeleteResp;
export type TombstoneReq = StreamsPb.TombstoneReq;
export type TombstoneResp = StreamsPb.TombstoneResp;
export type BatchAppendOptions = StreamsPb.BatchAppendReq.Options;
export type FilterOptions = StreamsPb.ReadReq.Options.FilterOptions;
export type StreamOptions = StreamsPb.ReadReq.Options.StreamOptions;
export type AllOptions = StreamsPb.ReadReq.Options.AllOptions;
export type Uuid = SharedPb.UUID;
export type StreamIdentifier = SharedPb.StreamIdentifier;
export type RpcStatus = StatusPb.Status;

/**
 * The Streams service definition with three changes: Read responses may be handed over already
 * serialized, which the event hot path does, BatchAppend requests are decoded by hand, and
 * successful BatchAppend answers are handed over already serialized.
 */
export const streamsService = {
  ...streamsGrpc.StreamsService,
  batchAppend: {
    ...streamsGrpc.StreamsService.batchAppend,
    requestDeserialize: decodeBatchAppendReq,
    responseSerialize: (message: BatchAppendMessage): Buffer => (Buffer.isBuffer(message) ? message : Buffer.from(message.serializeBinary())),
  },
  read: {
    ...streamsGrpc.StreamsService.read,
    responseSerialize: (message: ReadMessage): Buffer => (Buffer.isBuffer(message) ? message : Buffer.from(message.serializeBinary())),
  },
};
