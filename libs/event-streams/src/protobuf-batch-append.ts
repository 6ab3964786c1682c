import {
  encodeBatchAppendOptions,
  encodeBatchAppendRequest,
  encodeProposedMessage,
  encodeUuid,
  type OptionsFields,
  type ProposedMessageFields,
  type UuidFields,
} from './protobuf-batch-append-encoder.ts';
import { requireAsClient } from './protobuf-fast-deserializer.ts';

interface Serializable {
  serializeBinary(): Uint8Array;
}

interface BatchAppendRequest extends Serializable {
  getCorrelationId(): unknown;
  getOptions(): unknown;
  getProposedMessagesList(): Serializable[];
  getIsFinal(): boolean;
}

type MessageClass<M> = { prototype: M };

/** The generated classes the client itself loads. */
export interface BatchAppendClasses {
  readonly BatchAppendReq: MessageClass<BatchAppendRequest> & { Options: MessageClass<unknown>; ProposedMessage: MessageClass<Serializable> };
  readonly UUID: MessageClass<unknown>;
}

export function clientBatchAppendClasses(): BatchAppendClasses {
  const streams = requireAsClient<{ BatchAppendReq: BatchAppendClasses['BatchAppendReq'] }>('./streams_pb.js');
  const shared = requireAsClient<{ UUID: BatchAppendClasses['UUID'] }>('./shared_pb.js');
  return { BatchAppendReq: streams.BatchAppendReq, UUID: shared.UUID };
}

const installed = Symbol.for('spillway.batchAppendReuse');

/**
 * The client serializes each proposed event once to measure it (it splits batches by size), adds
 * it to its `BatchAppendReq` untouched, and gRPC then serializes the request, which encodes every
 * event a second time. Here each event is encoded once, by the hand encoder (jspb's BinaryWriter
 * was 5% of the projector's CPU), and the request is put together from the bytes each event was
 * measured as: a message field is its serialization behind its tag and length, so the bytes are
 * the same. Whatever the hand encoder does not copy exactly goes to the generated serializer.
 * Idempotent.
 */
export function reuseMeasuredEventBytes(classes: BatchAppendClasses = clientBatchAppendClasses()): void {
  const { BatchAppendReq, UUID } = classes;
  const { ProposedMessage, Options } = BatchAppendReq;
  const proposedPrototype = ProposedMessage.prototype as Serializable & { [installed]?: true };
  if (proposedPrototype[installed]) return;
  const measured = new WeakMap<object, Uint8Array>();
  const generatedProposed = proposedPrototype.serializeBinary;
  const encodeProposed = (message: Serializable): Uint8Array =>
    encodeProposedMessage(message as unknown as ProposedMessageFields) ?? generatedProposed.call(message);
  proposedPrototype.serializeBinary = function (this: Serializable) {
    const bytes = encodeProposed(this);
    measured.set(this, bytes);
    return bytes;
  };
  const generatedUuid = (UUID.prototype as Serializable).serializeBinary;
  const generatedOptions = (Options.prototype as Serializable).serializeBinary;
  BatchAppendReq.prototype.serializeBinary = function (this: BatchAppendRequest) {
    const correlationId = this.getCorrelationId() as Serializable | null | undefined;
    const options = this.getOptions() as Serializable | null | undefined;
    const proposed = this.getProposedMessagesList().map((message) => {
      const bytes = measured.get(message);
      if (bytes === undefined) return encodeProposed(message);
      measured.delete(message);
      return bytes;
    });
    return encodeBatchAppendRequest(
      correlationId == null ? undefined : (encodeUuid(correlationId as unknown as UuidFields) ?? generatedUuid.call(correlationId)),
      options == null ? undefined : (encodeBatchAppendOptions(options as unknown as OptionsFields) ?? generatedOptions.call(options)),
      proposed,
      this.getIsFinal(),
    );
  };
  proposedPrototype[installed] = true;
}
