import { requireAsClient } from './protobuf-fast-deserializer.ts';
import { FastRecordedEvent } from './protobuf-read-resp.ts';
import type { ClientRecordedEvent } from './recorded-event.ts';

/** The client's `convertGrpcRecord` (`data` parsed when the event is JSON). */
type ConvertGrpcRecord = (grpcRecord: unknown) => ClientRecordedEvent;

interface ConvertModule {
  convertGrpcRecord: ConvertGrpcRecord;
  [installed]?: true;
}

const installed = Symbol.for('spillway.lazyEventData');
const jsonContentType = 'application/json';

/** The client's module that turns every event of a read or subscription into its recorded event. */
function clientConvertModule(): ConvertModule {
  return requireAsClient<ConvertModule>('../dist/utils/convertGrpcEvent.js');
}

/**
 * The client turns the payload of every JSON event it reads into text and parses it, whether or
 * not anyone looks at it: a backfill's first pass, which needs only each event's stream and
 * revision, spent a fifth of the decider's CPU in that parse, besides collecting the objects it
 * made. Here the record is the client's own, but `data` is parsed the first time it is
 * read, as the client would have parsed it (the text when it is not valid JSON), and then kept.
 * Only events decoded by hand (protobuf-read-resp.ts), which are nearly all; anything else, and
 * events that are not JSON, go to the client's conversion unchanged. Idempotent.
 */
export function useLazyEventData(module: ConvertModule = clientConvertModule()): void {
  if (module[installed]) return;
  const convert = module.convertGrpcRecord;
  module.convertGrpcRecord = (grpcRecord) => {
    if (!(grpcRecord instanceof FastRecordedEvent) || grpcRecord.getMetadataMap().get('content-type') !== jsonContentType) return convert(grpcRecord);
    // Everything but the payload as the client converts it: an event it does not read as JSON keeps its bytes.
    const record = convert(grpcRecord.withContentType('application/octet-stream'));
    return lazyJsonRecord(record, grpcRecord.getData_asU8());
  };
  module[installed] = true;
}

const unparsed = Symbol('unparsed');

// The fields in the client's order; `data` an own, enumerable getter, so a spread copies the parsed value.
function lazyJsonRecord(record: ClientRecordedEvent, bytes: Uint8Array): ClientRecordedEvent {
  let data: unknown = unparsed;
  return {
    streamId: record.streamId,
    id: record.id,
    revision: record.revision,
    type: record.type,
    get data() {
      if (data === unparsed) data = parseAsTheClient(bytes);
      return data;
    },
    metadata: record.metadata,
    isJson: true,
    created: record.created,
    position: record.position,
  };
}

/** The client's `safeParseJSON`: the parsed value, or the text itself when it is not JSON. */
function parseAsTheClient(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
