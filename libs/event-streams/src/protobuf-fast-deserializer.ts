import { createRequire } from 'node:module';

/**
 * A module as the client's generated code loads it (`./streams_pb.js`, `./shared_pb.js`,
 * `google-protobuf`): the patches must change the very objects the client and gRPC use.
 */
export function requireAsClient<M>(specifier: string): M {
  const requireFromHere = createRequire(import.meta.url);
  return createRequire(requireFromHere.resolve('@eventstore/db-client/generated/streams_pb.js'))(specifier) as M;
}

/** The generated `streams_pb` module the client itself loads: its classes are the ones gRPC calls. */
export const clientStreamsModule = <M>(): M => requireAsClient<M>('./streams_pb.js');

export interface GeneratedMessageClass<G> {
  deserializeBinary(bytes: Uint8Array): G;
}

/** What the hand-decoded answers leave to the generated message: its own forms, built only when asked for. */
export interface GeneratedMessage {
  toObject(includeInstance?: boolean): unknown;
  serializeBinary(): Uint8Array;
}

export type DeserializeGenerated = (bytes: Uint8Array) => GeneratedMessage;

/** A hand-decoded answer: the generated message is decoded from the same bytes only if one of its own forms is asked for. */
export abstract class DecodedByHand implements GeneratedMessage {
  readonly #generated: () => GeneratedMessage;
  constructor(generated: () => GeneratedMessage) {
    this.#generated = generated;
  }
  /** For the client's debug log: the generated message's own form. */
  toObject(includeInstance?: boolean): unknown {
    return this.#generated().toObject(includeInstance);
  }
  serializeBinary(): Uint8Array {
    return this.#generated().serializeBinary();
  }
}

// One instance, thrown each time: a new Error per message would capture a stack trace each time.
export const notTheFastShape = new Error('not an answer this decoder reads');

export function bail(): never {
  throw notTheFastShape;
}

/** What `decode` reads, or undefined when it bailed: the bytes are not of the shape it reads exactly. */
export function readOrUndefined<F>(decode: () => F): F | undefined {
  try {
    return decode();
  } catch (error) {
    if (error === notTheFastShape) return undefined;
    throw error;
  }
}

/**
 * Has gRPC decode the class's answers with `fast` first; whatever `fast` does not read (undefined)
 * goes to the generated decoder, which then sees exactly the bytes it always saw. Idempotent per
 * class (`marker` says it is installed).
 */
export function installFastDeserializer<G, F>(
  messageClass: GeneratedMessageClass<G>,
  marker: symbol,
  fast: (bytes: Uint8Array, generated: (bytes: Uint8Array) => G) => F | undefined,
): void {
  const holder = messageClass as GeneratedMessageClass<G | F> & { [key: symbol]: true | undefined };
  if (holder[marker]) return;
  const generated = messageClass.deserializeBinary.bind(messageClass);
  holder.deserializeBinary = (bytes) => fast(bytes, generated) ?? generated(bytes);
  holder[marker] = true;
}
