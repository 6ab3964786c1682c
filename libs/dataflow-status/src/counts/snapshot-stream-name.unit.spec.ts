import { describe, expect, it } from 'vitest';
import { alertingStreamPrefix } from '@spillway/alert-rules';
import { checkpointStreamName, rejectionStreamName } from '@spillway/event-streams';
import { alertStreamPrefix, backfillStreamPrefix, circuitStreamPrefix, countsSnapshotStreamName, internalStreamPrefixes } from '@spillway/pipeline-events';
import { parseStreamName, streamCategories } from '@spillway/xdm';

// Every prefix a service or reader filters $all by (the apps build theirs from these).
const subscribedPrefixes = [
  ...streamCategories.map((category) => `${category}-`),
  ...Object.values(internalStreamPrefixes),
  circuitStreamPrefix,
  alertStreamPrefix,
  backfillStreamPrefix,
  alertingStreamPrefix,
  checkpointStreamName(''),
  rejectionStreamName(''),
];

describe('the counts snapshot stream', () => {
  it.each(['x', 'df-1', 'ab'])('given dataflow %s, then its snapshot stream is caught by no subscribed prefix and is no public stream', (dataflowId) => {
    const name = countsSnapshotStreamName(dataflowId);
    expect(subscribedPrefixes.filter((prefix) => name.startsWith(prefix))).toEqual([]);
    expect(parseStreamName(name)).toBeUndefined();
  });
});
