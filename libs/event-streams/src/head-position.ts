import { BACKWARDS, END, type EventStoreDBClient } from '@eventstore/db-client';
import { mapStoreError } from './map-store-error.ts';
import type { Position } from './position.ts';

/** The position of the last event in $all (undefined for an empty store): one backwards read of one event. */
export async function readHeadPosition(client: EventStoreDBClient): Promise<Position | undefined> {
  let head: Position | undefined;
  try {
    // Read to the end rather than returning from inside the loop: a read left early this way keeps
    // the client's dispose() from ever settling once it has happened a few times.
    for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) {
      const position = resolved.event?.position ?? resolved.commitPosition;
      if (head !== undefined) continue;
      if (typeof position === 'bigint') head = { commit: position, prepare: position };
      else if (position) head = { commit: position.commit, prepare: position.prepare };
    }
    return head;
  } catch (error) {
    throw mapStoreError(error, { operation: 'read-head', stream: '$all' });
  }
}
