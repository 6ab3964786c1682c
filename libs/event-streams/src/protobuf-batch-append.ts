import { createRequire } from 'node:module';

interface Serializable {
  serializeBinary(): Uint8Array;
}

interface BinaryWriter {
  writeMessage(field: number, message: unknown, write: (message: unknown, writer: BinaryWriter) => void): void;
  writeBytes(field: number, bytes: Uint8Array): void;
  writeBool(field: number, value: boolean): void;
  getResultBuffer(): Uint8Array;
}

interface BatchAppendRequest extends Serializable {
  getCorrelationId(): unknown;
  getOptions(): unknown;
  getProposedMessagesList(): Serializable[];
  getIsFinal(): boolean;
}

type MessageClass<M> = { prototype: M; serializeBinaryToWriter(message: unknown, writer: BinaryWriter): void };

/** The generated classes and google-protobuf writer the client itself loads. */
export interface BatchAppendClasses {
  readonly BatchAppendReq: MessageClass<BatchAppendRequest> & { Options: MessageClass<unknown>; ProposedMessage: MessageClass<Serializable> };
  readonly UUID: MessageClass<unknown>;
  readonly BinaryWriter: new () => BinaryWriter;
}

export function clientBatchAppendClasses(): BatchAppendClasses {
  const requireFromHere = createRequire(import.meta.url);
  const requireFromClient = createRequire(requireFromHere.resolve('@eventstore/db-client/generated/streams_pb.js'));
  const streams = requireFromClient('./streams_pb.js') as { BatchAppendReq: BatchAppendClasses['BatchAppendReq'] };
  const shared = requireFromClient('./shared_pb.js') as { UUID: BatchAppendClasses['UUID'] };
  const jspb = requireFromClient('google-protobuf') as { BinaryWriter: BatchAppendClasses['BinaryWriter'] };
  return { BatchAppendReq: streams.BatchAppendReq, UUID: shared.UUID, BinaryWriter: jspb.BinaryWriter };
}

const installed = Symbol.for('spillway.batchAppendReuse');

/**
 * The client serializes each proposed event once to measure it (it splits batches by size), adds
 * it to its `BatchAppendReq` untouched, and gRPC then serializes the request, which encodes every
 * event a second time. Here the request is written as the generated serializer writes it (fields
 * 1 to 4 in order, each only when set), except that an event measured before goes in as the
 * bytes it was measured as: a message field is its serialization behind its tag and length, so
 * the bytes are the same. An event not measured first is encoded as before. Idempotent.
 */
export function reuseMeasuredEventBytes(classes: BatchAppendClasses = clientBatchAppendClasses()): void {
  const { BatchAppendReq, UUID, BinaryWriter } = classes;
  const { ProposedMessage, Options } = BatchAppendReq;
  const proposedPrototype = ProposedMessage.prototype as Serializable & { [installed]?: true };
  if (proposedPrototype[installed]) return;
  const measured = new WeakMap<object, Uint8Array>();
  const serializeProposed = proposedPrototype.serializeBinary;
  proposedPrototype.serializeBinary = function (this: Serializable) {
    const bytes = serializeProposed.call(this);
    measured.set(this, bytes);
    return bytes;
  };
  BatchAppendReq.prototype.serializeBinary = function (this: BatchAppendRequest) {
    const writer = new BinaryWriter();
    const correlationId = this.getCorrelationId();
    if (correlationId != null) writer.writeMessage(1, correlationId, UUID.serializeBinaryToWriter);
    const options = this.getOptions();
    if (options != null) writer.writeMessage(2, options, Options.serializeBinaryToWriter);
    for (const proposed of this.getProposedMessagesList()) {
      const bytes = measured.get(proposed);
      if (bytes === undefined) {
        writer.writeMessage(3, proposed, ProposedMessage.serializeBinaryToWriter);
      } else {
        measured.delete(proposed);
        writer.writeBytes(3, bytes);
      }
    }
    if (this.getIsFinal()) writer.writeBool(4, true);
    return writer.getResultBuffer();
  };
  proposedPrototype[installed] = true;
}
