import { describe, expect, it } from 'vitest';
import { dataflowConsumerName, dataflowInputFilter } from './dataflow-consumer.ts';

/** Which of these stream names the filter selects, as the store applies it (an unanchored regex). */
function selected(dataflowId: string, streams: readonly string[]): string[] {
  const filter = dataflowInputFilter('destination-t1-', dataflowId);
  if (!('streamNameRegex' in filter)) throw new Error('expected a stream name regex');
  const pattern = new RegExp(filter.streamNameRegex);
  return streams.filter((stream) => pattern.test(stream));
}

describe('a dataflow consumer', () => {
  it("reads the destination streams under the prefix and exactly its own dataflow's export stream", () => {
    expect(
      selected('t1-orders', ['destination-t1-a', 'destination-t2-a', 'exports-t1-orders', 'exports-t1-orders-eu', 'exports-t1-order', 'x-exports-t1-orders', 'deliveries-t1-orders']),
    ).toEqual(['destination-t1-a', 'exports-t1-orders']);
  });

  it('takes a dataflow id with regex characters literally', () => {
    expect(selected('t1-a.b+(c)|*', ['exports-t1-a.b+(c)|*', 'exports-t1-aXb+(c)|*', 'exports-t1-a.bb(c)'])).toEqual(['exports-t1-a.b+(c)|*']);
  });

  it("names its checkpoint after the agent's consumer and the dataflow", () => {
    expect(dataflowConsumerName('delivery-agent-0-of-1', 'orders')).toBe('delivery-agent-0-of-1-dataflow-orders');
  });
});
