import { z } from 'zod';
import {
  comparePositions,
  createStreamCheckpointStore,
  defineEvents,
  partitionConsumerName,
  wholePartition,
  type EventStore,
  type Position,
} from '@spillway/event-streams';
import { exportsStreamName, internalEventSchemas, profileStreamName } from '@spillway/pipeline-events';
import { ingestStreamName, publicEventDataSchemas } from '@spillway/xdm';
import { waitUntil } from './wait.ts';

// Only where the events are matters here, not what they say.
const anyOf = (types: readonly string[]) => defineEvents(Object.fromEntries(types.map((type) => [type, z.unknown()])), { unknownTypes: 'ignore' });
const ingestTypes = anyOf(Object.keys(publicEventDataSchemas));
const pipelineTypes = anyOf(Object.keys(internalEventSchemas));

export interface PipelineScope {
  readonly profileIds: readonly string[];
  readonly dataflowIds: readonly string[];
}

/**
 * Waits until everything written so far to these profiles' ingest streams has gone through the
 * whole pipeline, without guessing at sleeps: stage by stage, each service's stored checkpoint
 * (the low watermark of what it finished) must pass the last event of its input streams, the
 * projector's for the ingest streams, then the decider's for the profile streams it wrote,
 * then the agent's for each dataflow's export stream (the agent has one consumer per dataflow,
 * `delivery-agent-0-of-1-dataflow-<dataflowId>`). The services are single instances (0/1).
 */
export async function waitForPipeline(client: EventStore, scope: PipelineScope, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const agent = partitionConsumerName('delivery-agent', wholePartition);
  const stages = [
    { name: partitionConsumerName('profile-projector', wholePartition), streams: scope.profileIds.map(ingestStreamName), catalog: ingestTypes },
    { name: partitionConsumerName('export-decider', wholePartition), streams: scope.profileIds.map(profileStreamName), catalog: pipelineTypes },
    ...scope.dataflowIds.map((dataflowId) => ({ name: `${agent}-dataflow-${dataflowId}`, streams: [exportsStreamName(dataflowId)], catalog: pipelineTypes })),
  ];
  const checkpoints = createStreamCheckpointStore(client);
  for (const { name, ...stage } of stages) {
    const target = await lastPosition(client, stage.streams, stage.catalog);
    if (target === undefined) continue;
    let seen: Position | undefined;
    await waitUntil(
      async () => {
        seen = await checkpoints.load(name);
        return seen !== undefined && comparePositions(seen, target) >= 0;
      },
      () => `${name} to checkpoint past ${target.commit} (at ${seen?.commit ?? 'none'})`,
      Math.max(1, deadline - Date.now()),
    );
  }
}

async function lastPosition(client: EventStore, streams: readonly string[], catalog: ReturnType<typeof anyOf>): Promise<Position | undefined> {
  let last: Position | undefined;
  for (const stream of streams) {
    const [event] = await client.readStreamEvents(stream, catalog, { direction: 'backwards', maxCount: 1 });
    if (event?.position && (last === undefined || comparePositions(event.position, last) > 0)) last = event.position;
  }
  return last;
}
