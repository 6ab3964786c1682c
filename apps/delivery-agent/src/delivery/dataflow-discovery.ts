import { defineEvents, runConsumer, type CheckpointStore, type Consumer, type EventStore, type OutageReporter, type Position } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
import { dataflowStreamName, idSchema } from '@spillway/xdm';
import { z } from 'zod';

export const dataflowStreamPrefix = 'dataflow-';

// Only the id matters here: the decider validates the rest (and reports what it refuses).
const dataflowIdOnly = z.looseObject({ dataflowId: idSchema });
const dataflowEvents = defineEvents({ DataflowConfigured: dataflowIdOnly, DataflowDeleted: dataflowIdOnly }, { unknownTypes: 'ignore' });

// Every start reads the dataflow streams from the beginning, to know every dataflow again.
const noCheckpoints: CheckpointStore = { load: async () => undefined, save: async () => {} };

/**
 * The control consumer: follows the dataflow configuration streams (`dataflow-<idPrefix>…`) only
 * to learn which dataflows exist, calling `found` once per dataflow id, in log order, with the
 * position of its first configuration event (none of its exports can come before it). A deleted
 * dataflow is found all the same: its exports already requested (and replays) are still delivered.
 * Its `caughtUp` resolves once every dataflow in the store at its start was found.
 */
export function followDataflows(options: {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly outage: OutageReporter;
  readonly consumer: string;
  /** Narrows the dataflows to those whose id starts with it. */
  readonly idPrefix: string;
  readonly found: (dataflowId: string, configuredAt: Position | undefined) => void;
}): Consumer {
  const known = new Set<string>();
  return runConsumer({
    store: options.store,
    logger: options.logger,
    outage: options.outage,
    consumer: options.consumer,
    catalog: dataflowEvents,
    filter: { streamNamePrefixes: [`${dataflowStreamPrefix}${options.idPrefix}`] },
    checkpoints: noCheckpoints,
    recordRejections: false,
    handle({ streamId, event, position }) {
      const { dataflowId } = event.data;
      if (streamId !== dataflowStreamName(dataflowId) || known.has(dataflowId)) return;
      known.add(dataflowId);
      options.found(dataflowId, position);
    },
  });
}
