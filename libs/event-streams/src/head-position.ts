import { BACKWARDS, END, type EventStoreDBClient } from '@eventstore/db-client';
import { mapStoreError } from './map-store-error.ts';
import type { Position } from './position.ts';

/** The position of the last event in $all (undefined for an empty store): one backwards read of one event. */
export async function readHeadPosition(client: EventStoreDBClient): Promise<Position | undefined> {
  try {
    for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) {
      const position = resolved.event?.position ?? resolved.commitPosition;
      if (typeof position === 'bigint') return { commit: position, prepare: position };
      if (position) return { commit: position.commit, prepare: position.prepare };
    }
    return undefined;
  } catch (error) {
    throw mapStoreError(error, { operation: 'read-head', stream: '$all' });
  }
}
