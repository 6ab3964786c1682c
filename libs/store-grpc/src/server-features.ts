import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { serverFeaturesPb } from './protocol.ts';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type * as ServerFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';

/** The EventStoreDB version whose behaviour this store follows. */
export const compatibleServerVersion = '24.10.0';

/**
 * Advertised so the client takes its normal paths (BatchAppend for appends). Persistent
 * subscriptions, projections, users and operations are not served, so not advertised.
 */
const supported: ReadonlyArray<readonly [service: string, method: string, features: readonly string[]]> = [
  ['event_store.client.streams.streams', 'read', ['position', 'events']],
  ['event_store.client.streams.streams', 'append', []],
  ['event_store.client.streams.streams', 'delete', []],
  ['event_store.client.streams.streams', 'tombstone', []],
  ['event_store.client.streams.streams', 'batchappend', []],
  ['event_store.client.server_features.serverfeatures', 'getsupportedmethods', []],
];

export function handleGetSupportedMethods() {
  return (
    _call: ServerUnaryCall<SharedPb.Empty, ServerFeaturesPb.SupportedMethods>,
    callback: sendUnaryData<ServerFeaturesPb.SupportedMethods>,
  ): void => {
    const methods = supported.map(([service, method, features]) =>
      new serverFeaturesPb.SupportedMethod().setServiceName(service).setMethodName(method).setFeaturesList([...features]),
    );
    callback(null, new serverFeaturesPb.SupportedMethods().setMethodsList(methods).setEventStoreServerVersion(compatibleServerVersion));
  };
}
