import { describe, expect, it } from 'vitest';
import { captureLogger, connectForTest, orderEvents, placed, uniquePrefix } from './test-setup/fixtures.ts';

describe('head of the log', () => {
  it('is the position of the last append, read as often as wanted, and the connection still closes', async () => {
    const store = await connectForTest(captureLogger().logger);
    let last;
    for (let round = 0; round < 20; round++) {
      last = await store.appendEvents(`${uniquePrefix('order')}${round}`, orderEvents, [placed(`o${round}`, 1)]);
      expect(await store.readHeadPosition()).toEqual(last.position);
    }
    // Leaving each backwards read early once kept close() from ever settling after a few of them.
    const closed = await Promise.race([store.close().then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 5_000, 'still closing'))]);
    expect(closed).toBe('closed');
  });
});
