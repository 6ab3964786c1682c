import type { EventStore } from '@spillway/event-streams';
import { audienceStreamName, dataflowStreamName, destinationStreamName, type AudienceDefinition, type DataflowConfig, type DestinationConfig } from '@spillway/xdm';
import type { CliContext, CommandResult } from '../cli/context.ts';
import { NotFoundError } from '../cli/errors.ts';
import { withStore } from '../cli/store-connection.ts';
import { audienceEvents, dataflowEvents, destinationEvents } from '../config-streams/public-catalogs.ts';
import { readLatest, readLatestByStream } from '@spillway/event-streams';
import { describeAuth, table } from '../destinations/format-destination.ts';
import { readDataflowCounts } from '@spillway/dataflow-status';
import { backfillLine, readBackfills } from '../backfill/backfill-status.ts';
import { circuitJson, circuitLine, readCircuitStatus } from './circuit-status.ts';
import { countsLine } from './counts-line.ts';

/** `dataflows list`: every dataflow whose latest event configures it. */
export function runListDataflows(context: CliContext): Promise<CommandResult> {
  return withStore(context, async (store) => {
    const latest = await readLatestByStream(store, 'dataflow-', dataflowEvents);
    const dataflows = latest.flatMap((stored) => (stored.event.type === 'DataflowConfigured' ? [stored.event.data] : []));
    const rows = dataflows.map((d) => [d.dataflowId, d.destinationId, d.enabled ? 'yes' : 'no', String(d.audiences.length), String(d.attributes.length)]);
    return {
      text: dataflows.length === 0 ? ['no dataflows configured'] : table(['ID', 'DESTINATION', 'ENABLED', 'AUDIENCES', 'ATTRIBUTES'], rows),
      json: { dataflows },
    };
  });
}

/** `dataflows show <id>`: its configuration, its destination (secrets as references), its audiences, and its counts. */
export function runShowDataflow(context: CliContext, dataflowId: string): Promise<CommandResult> {
  const stream = dataflowStreamName(dataflowId);
  return withStore(context, async (store) => {
    const latest = await readLatest(store, stream, dataflowEvents);
    if (!latest) throw new NotFoundError('dataflow', dataflowId, `is not configured (no events in ${stream})`);
    if (latest.event.type === 'DataflowDeleted') throw new NotFoundError('dataflow', dataflowId, `was deleted (${stream})`);
    const dataflow = latest.event.data;
    const [destination, circuit, audiences, counts, backfills] = await Promise.all([
      readDestination(store, dataflow.destinationId),
      readCircuitStatus(store, dataflow.destinationId),
      readAudiences(store, dataflow),
      readDataflowCounts(store, dataflowId),
      readBackfills(store, dataflowId),
    ]);
    const configuredAt = latest.recordedAt.toISOString();
    const text = [
      `dataflow ${dataflow.dataflowId}`,
      `  destination:   ${destinationText(dataflow.destinationId, destination)}`,
      `  circuit:       ${circuitLine(circuit)}`,
      `  enabled:       ${dataflow.enabled ? 'yes' : 'no'}`,
      `  consent check: ${dataflow.consent ? 'on' : 'off'}`,
      `  audiences:${dataflow.audiences.length === 0 ? '     (none)' : ''}`,
      ...dataflow.audiences.map((mapping) => `    ${mapping.audienceId}  ${audienceText(audiences.get(mapping.audienceId))}`),
      `  attributes:    ${dataflow.attributes.length === 0 ? '(none)' : dataflow.attributes.join(', ')}`,
      `  configured at: ${configuredAt} (${stream}, revision ${latest.revision})`,
      `  ${countsLine(counts)}`,
      `  backfills:${backfills.length === 0 ? '     (none)' : ''}`,
      ...backfills.map((backfill) => `    ${backfillLine(backfill)}`),
    ];
    const json = {
      dataflow,
      configuredAt,
      stream,
      revision: Number(latest.revision),
      destination: destination ?? null,
      circuit: circuitJson(circuit),
      audiences: Object.fromEntries(dataflow.audiences.map((m) => [m.audienceId, audiences.get(m.audienceId) ?? null])),
      counts: counts ?? null,
      ...(counts === undefined ? { countsNote: 'not available yet' } : {}),
      backfills,
    };
    return { text, json };
  });
}

async function readDestination(store: EventStore, destinationId: string): Promise<DestinationConfig | undefined> {
  const latest = await readLatest(store, destinationStreamName(destinationId), destinationEvents);
  return latest?.event.type === 'DestinationConfigured' ? latest.event.data : undefined;
}

async function readAudiences(store: EventStore, dataflow: DataflowConfig): Promise<Map<string, AudienceDefinition>> {
  const found = await Promise.all(dataflow.audiences.map((m) => readLatest(store, audienceStreamName(m.audienceId), audienceEvents)));
  return new Map(found.flatMap((latest) => (latest ? [[latest.event.data.audienceId, latest.event.data] as const] : [])));
}

function destinationText(destinationId: string, destination: DestinationConfig | undefined): string {
  if (!destination) return `${destinationId} (not configured: nothing will be delivered)`;
  return `${destinationId} (${destination.endpoint}, auth ${describeAuth(destination.auth)})`;
}

function audienceText(audience: AudienceDefinition | undefined): string {
  if (!audience) return '(not defined yet)';
  return `${audience.name} (merge policy ${audience.mergePolicyId}, ${audience.origin})`;
}
