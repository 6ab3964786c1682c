import type { ReadDirection } from '@spillway/store-engine';
import { streamsPb } from './protocol.ts';
import type { AllOptions, ReadReq, StreamOptions } from './protocol.ts';
import { streamNameOf } from './events.ts';
import type { UuidForm } from './events.ts';
import { eventFilterFrom } from './filter.ts';
import type { EventFilter } from './filter.ts';

export type ReadFrom = 'start' | 'end' | bigint;

/** What a Streams.Read request asks for, decoded from the option oneofs. */
export type ReadRequest =
  | { readonly kind: 'read-stream'; readonly streamName: string; readonly direction: ReadDirection; readonly from: ReadFrom; readonly maxCount: bigint; readonly uuidForm: UuidForm }
  | { readonly kind: 'read-all'; readonly direction: ReadDirection; readonly from: ReadFrom; readonly maxCount: bigint; readonly filter: EventFilter | undefined; readonly uuidForm: UuidForm }
  | { readonly kind: 'subscribe-stream'; readonly streamName: string; readonly from: ReadFrom; readonly uuidForm: UuidForm }
  | { readonly kind: 'subscribe-all'; readonly from: ReadFrom; readonly filter: EventFilter | undefined; readonly uuidForm: UuidForm };

export class InvalidReadRequestError extends Error {
  readonly type = 'invalid-read-request';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReadRequestError';
  }
}

export function decodeReadRequest(request: ReadReq): ReadRequest {
  const options = request.getOptions();
  if (options === undefined) throw new InvalidReadRequestError('Read options are missing');
  const uuidOption = options.getUuidOption();
  if (uuidOption === undefined) throw new InvalidReadRequestError(' `uuidOption` is a required argument');
  const common = {
    uuidForm: (uuidOption.hasString() ? 'string' : 'structured') as UuidForm,
    direction: (options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS ? 'backwards' : 'forwards') as ReadDirection,
    filter: options.hasFilter() ? eventFilterFrom(options.getFilter()!) : undefined,
    isSubscription: options.hasSubscription(),
  };
  if (!common.isSubscription && !options.hasCount()) throw new InvalidReadRequestError('Neither count nor subscription is set');
  const maxCount = common.isSubscription ? 0n : BigInt(options.getCount());
  const stream = options.getStream();
  if (stream !== undefined) return decodeStreamRead(stream, common, maxCount);
  const all = options.getAll();
  if (all !== undefined) return decodeAllRead(all, common, maxCount);
  throw new InvalidReadRequestError('Neither a stream nor $all is given');
}

interface CommonOptions {
  readonly uuidForm: UuidForm;
  readonly direction: ReadDirection;
  readonly filter: EventFilter | undefined;
  readonly isSubscription: boolean;
}

function decodeStreamRead(stream: StreamOptions, common: CommonOptions, maxCount: bigint): ReadRequest {
  const streamName = streamNameOf(stream.getStreamIdentifier());
  const from: ReadFrom = stream.hasRevision() ? BigInt(stream.getRevision()) : stream.hasEnd() ? 'end' : 'start';
  if (common.filter !== undefined) throw new InvalidReadRequestError('Filters apply to $all only');
  const { uuidForm, direction } = common;
  if (common.isSubscription) return { kind: 'subscribe-stream', streamName, from, uuidForm };
  return { kind: 'read-stream', streamName, direction, from, maxCount, uuidForm };
}

function decodeAllRead(all: AllOptions, common: CommonOptions, maxCount: bigint): ReadRequest {
  const position = all.getPosition();
  const from: ReadFrom = position !== undefined ? BigInt(position.getCommitPosition()) : all.hasEnd() ? 'end' : 'start';
  const { uuidForm, direction, filter } = common;
  if (!common.isSubscription) return { kind: 'read-all', direction, from, maxCount, filter, uuidForm };
  if (direction === 'backwards') throw new InvalidReadRequestError('Subscriptions read forwards only');
  return { kind: 'subscribe-all', from, filter, uuidForm };
}
