import type { ProposedEvent, RecordedEvent } from '@spillway/store-engine';
import { sharedPb, streamsPb } from './protocol.ts';
import type { ReadResp, StreamIdentifier } from './protocol.ts';
import { uuidFromWire, uuidToWire, type WireUuid } from './uuid.ts';

export type UuidForm = 'string' | 'structured';

/** The shape shared by AppendReq.ProposedMessage and BatchAppendReq.ProposedMessage. */
export interface WireProposedMessage {
  getId(): WireUuid | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

export class MissingMetadataPropertyError extends Error {
  readonly type = 'missing-metadata-property';
  readonly property: string;
  constructor(property: string) {
    super(`Required Metadata Property '${property}' is missing`);
    this.name = 'MissingMetadataPropertyError';
    this.property = property;
  }
}

const jsonContentType = 'application/json';
const binaryContentType = 'application/octet-stream';

/** Throws InvalidUuidError or MissingMetadataPropertyError for a request a real server rejects. */
export function toProposedEvent(message: WireProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  if (type === undefined) throw new MissingMetadataPropertyError('type');
  const contentType = metadata.get('content-type');
  if (contentType === undefined) throw new MissingMetadataPropertyError('content-type');
  return {
    id: uuidFromWire(message.getId()),
    type,
    // The server keeps only "is JSON" and reports one of these two on reads.
    contentType: contentType === jsonContentType ? jsonContentType : binaryContentType,
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

/** EventStoreDB's Event.SizeOnDisk: what counts against the maximum append size. */
export function sizeOnDisk(event: ProposedEvent): number {
  return event.data.length + event.metadata.length + event.type.length * 2;
}

export function streamIdentifier(streamName: string): StreamIdentifier {
  return new sharedPb.StreamIdentifier().setStreamName(Buffer.from(streamName, 'utf8'));
}

export function streamNameOf(identifier: StreamIdentifier | undefined): string {
  if (identifier === undefined) return '';
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function readEventResponse(event: RecordedEvent, uuidForm: UuidForm): ReadResp {
  const position = event.position.toString();
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidToWire(event.id, uuidForm))
    .setStreamIdentifier(streamIdentifier(event.streamId))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(position)
    .setPreparePosition(position)
    .setData(event.data)
    .setCustomMetadata(event.metadata);
  const map = recorded.getMetadataMap();
  map.set('type', event.type);
  map.set('created', event.created.toString());
  map.set('content-type', event.contentType === jsonContentType ? jsonContentType : binaryContentType);
  const readEvent = new streamsPb.ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(position);
  return new streamsPb.ReadResp().setEvent(readEvent);
}

export function streamNotFoundResponse(streamName: string): ReadResp {
  const notFound = new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(streamName));
  return new streamsPb.ReadResp().setStreamNotFound(notFound);
}

export function confirmationResponse(subscriptionId: string): ReadResp {
  return new streamsPb.ReadResp().setConfirmation(
    new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(subscriptionId),
  );
}

export function checkpointResponse(position: bigint): ReadResp {
  const value = position.toString();
  return new streamsPb.ReadResp().setCheckpoint(
    new streamsPb.ReadResp.Checkpoint().setCommitPosition(value).setPreparePosition(value),
  );
}

export function caughtUpResponse(): ReadResp {
  return new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp());
}
