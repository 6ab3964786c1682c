import type { EventStore } from '@spillway/event-streams';
import { audienceStreamName, dataflowStreamName, destinationStreamName } from '@spillway/xdm';
import { alertingStreamName } from '@spillway/alert-rules';
import type { DesiredConfig } from '../config-file/desired-config.ts';
import { alertingEvents } from '../config-streams/alerting-catalog.ts';
import { audienceEvents, dataflowEvents, destinationEvents } from '../config-streams/public-catalogs.ts';
import { readCurrent, type StreamCurrent } from '@spillway/event-streams';
import type { CurrentConfig, Latest } from './plan-apply.ts';

/** The latest event of every stream the file names or refers to (destinations and audiences of its dataflows). */
export async function readCurrentConfig(store: EventStore, desired: DesiredConfig): Promise<CurrentConfig> {
  const audienceIds = unique([...desired.audiences.map((a) => a.audienceId), ...desired.dataflows.flatMap((d) => d.audiences.map((m) => m.audienceId))]);
  const destinationIds = unique([...desired.destinations.map((d) => d.destinationId), ...desired.dataflows.map((d) => d.destinationId)]);
  const alertIds = unique((desired.alerts ?? []).map((a) => a.dataflowId));
  const dataflowIds = unique([...desired.dataflows.map((d) => d.dataflowId), ...alertIds]);
  const [audiences, destinations, dataflows, alerts] = await Promise.all([
    readAll(audienceIds, (id) => readCurrent(store, audienceStreamName(id), audienceEvents)),
    readAll(destinationIds, (id) => readCurrent(store, destinationStreamName(id), destinationEvents)),
    readAll(dataflowIds, (id) => readCurrent(store, dataflowStreamName(id), dataflowEvents)),
    readAll(alertIds, (id) => readCurrent(store, alertingStreamName(id), alertingEvents)),
  ]);
  return { audiences, destinations, dataflows, alerts };
}

async function readAll<E>(ids: readonly string[], read: (id: string) => Promise<StreamCurrent<E>>): Promise<Map<string, Latest<E>>> {
  const entries = await Promise.all(ids.map(async (id) => [id, await read(id)] as const));
  const found = new Map<string, Latest<E>>();
  for (const [id, { latest, revision }] of entries) if (latest && revision !== 'no_stream') found.set(id, { event: latest.event, revision });
  return found;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
