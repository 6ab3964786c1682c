import { destinationStreamName } from '@spillway/xdm';
import type { CliContext, CommandResult } from '../cli/context.ts';
import { NotFoundError } from '../cli/errors.ts';
import { withStore } from '../cli/store-connection.ts';
import { destinationEvents } from '../config-streams/public-catalogs.ts';
import { readLatest, readLatestByStream } from '@spillway/event-streams';
import { describeAuth, destinationLines, table } from './format-destination.ts';

/** `destinations list`: every destination whose latest event configures it (deleted ones are left out). */
export function runListDestinations(context: CliContext): Promise<CommandResult> {
  return withStore(context, async (store) => {
    const latest = await readLatestByStream(store, 'destination-', destinationEvents);
    const destinations = latest.flatMap((stored) => (stored.event.type === 'DestinationConfigured' ? [stored.event.data] : []));
    const rows = destinations.map((d) => [d.destinationId, d.name, d.endpoint, describeAuth(d.auth)]);
    return {
      text: destinations.length === 0 ? ['no destinations configured'] : table(['ID', 'NAME', 'ENDPOINT', 'AUTH'], rows),
      json: { destinations },
    };
  });
}

/** `destinations show <id>`: secrets are references in the stream and are shown as such, never resolved. */
export function runShowDestination(context: CliContext, destinationId: string): Promise<CommandResult> {
  const stream = destinationStreamName(destinationId);
  return withStore(context, async (store) => {
    const latest = await readLatest(store, stream, destinationEvents);
    if (!latest) throw new NotFoundError('destination', destinationId, `is not configured (no events in ${stream})`);
    if (latest.event.type === 'DestinationDeleted') throw new NotFoundError('destination', destinationId, `was deleted (${stream})`);
    const configuredAt = latest.recordedAt.toISOString();
    return {
      text: [...destinationLines(latest.event.data), `  configured at:      ${configuredAt} (${stream}, revision ${latest.revision})`],
      json: { destination: latest.event.data, configuredAt, stream, revision: Number(latest.revision) },
    };
  });
}
