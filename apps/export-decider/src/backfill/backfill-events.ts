import { defineEvents, deterministicEventId, type Position } from '@spillway/event-streams';
import { backfillEventSchemas, internalEventSchemas } from '@spillway/pipeline-events';
import { z } from 'zod';

/** What the decider writes to and reads from `backfill-<dataflowId>`. */
export const backfillEvents = defineEvents(backfillEventSchemas);

/** A profile's latest change, read in full when it is exported. */
export const profileChangedEvents = defineEvents({ ProfileChanged: internalEventSchemas.ProfileChanged }, { unknownTypes: 'ignore' });

/** The scan only needs where each profile stream starts: its data is not validated there. */
export const profileScanEvents = defineEvents({ ProfileChanged: z.unknown() }, { unknownTypes: 'ignore' });

/** The first pass needs only where each profile event is: its data is not even parsed. */
export const profileIndexEvents = defineEvents({ ProfileChanged: z.undefined() }, { unknownTypes: 'ignore', data: 'unread' });

/** One backfill per (dataflow, configuration event): the same request seen again is the same backfill. */
export const backfillIdFor = (dataflowId: string, configEventId: string): string => deterministicEventId('backfill', dataflowId, configEventId);

export const positionText = (position: Position): string => `${position.commit}/${position.prepare}`;

export function parsePositionText(text: string): Position {
  const [commit, prepare] = text.split('/');
  if (commit === undefined || prepare === undefined) throw new Error(`not a position: '${text}'`);
  return { commit: BigInt(commit), prepare: BigInt(prepare) };
}
