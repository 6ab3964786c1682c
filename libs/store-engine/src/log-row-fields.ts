/**
 * The log's rows are msgpack arrays `[streamId, revision, id, type, contentType, data, metadata,
 * created]` (lmdb-tables.ts). A filtered scan of $all only needs the stream id or the type of
 * each row to decide, so it reads that one string straight from the row's bytes instead of
 * decoding the whole row (data and metadata copied out) for events it then drops.
 */
export type LogRowField = 'streamId' | 'id' | 'type';

/**
 * An lmdb-js value encoder for a read-only view of the log whose values are one field of each
 * row. lmdb-js hands `decode` its shared read buffer (whose `length` is the value's size) when the
 * decoder keeps nothing of it, so a scan allocates one short string per row and no buffer.
 */
export function logRowFieldDecoder(field: LogRowField) {
  return {
    decode: (row: Buffer): string | undefined => peekLogRowField(row, field),
    encode: (): never => {
      throw new Error(`the log's ${field} view is read-only`);
    },
  };
}

/** Undefined when the bytes are not laid out as expected; the caller decodes the whole row then. */
export function peekLogRowField(row: Buffer, field: LogRowField): string | undefined {
  if (row[0] !== fixArrayOf8) return undefined;
  const streamId = stringAt(row, 1);
  if (streamId === undefined) return undefined;
  if (field === 'streamId') return row.toString('utf8', streamId.start, streamId.end);
  const afterRevision = skipNumber(row, streamId.end);
  const id = afterRevision === undefined ? undefined : stringAt(row, afterRevision);
  if (field === 'id') return id === undefined ? undefined : row.toString('utf8', id.start, id.end);
  const type = id === undefined ? undefined : stringAt(row, id.end);
  return type === undefined ? undefined : row.toString('utf8', type.start, type.end);
}

const fixArrayOf8 = 0x98;

interface StringSpan {
  readonly start: number;
  readonly end: number;
}

function stringAt(row: Buffer, offset: number): StringSpan | undefined {
  const marker = row[offset];
  if (marker === undefined) return undefined;
  let start: number;
  let length: number;
  if (marker >= 0xa0 && marker <= 0xbf) {
    start = offset + 1;
    length = marker & 0x1f;
  } else if (marker === 0xd9 && offset + 2 <= row.length) {
    start = offset + 2;
    length = row[offset + 1]!;
  } else if (marker === 0xda && offset + 3 <= row.length) {
    start = offset + 3;
    length = row.readUInt16BE(offset + 1);
  } else if (marker === 0xdb && offset + 5 <= row.length) {
    start = offset + 5;
    length = row.readUInt32BE(offset + 1);
  } else {
    return undefined;
  }
  const end = start + length;
  return end <= row.length ? { start, end } : undefined;
}

/** Offset after the msgpack number at `offset` (any integer or float encoding). */
function skipNumber(row: Buffer, offset: number): number | undefined {
  const marker = row[offset];
  if (marker === undefined) return undefined;
  if (marker <= 0x7f || marker >= 0xe0) return offset + 1;
  const size = numberSizes.get(marker);
  return size === undefined || offset + 1 + size > row.length ? undefined : offset + 1 + size;
}

/** Payload bytes after the marker: float32/64, uint8..64, int8..64. */
const numberSizes = new Map<number, number>([
  [0xca, 4],
  [0xcb, 8],
  [0xcc, 1],
  [0xcd, 2],
  [0xce, 4],
  [0xcf, 8],
  [0xd0, 1],
  [0xd1, 2],
  [0xd2, 4],
  [0xd3, 8],
]);
