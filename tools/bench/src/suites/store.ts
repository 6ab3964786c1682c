import type { Suite } from '../suite.ts';
import { runStorageMode } from './store/modes.ts';
import { compareModes, cpuTable, figuresTable, otherCoresOf } from './store/report.ts';
import { sameCountsAs, storeWorkload } from './store/workload.ts';

/** The embedded store, durable and then in-memory, measured as a service sees it: real client, store in its own process. */
export const storeSuite: Suite = {
  name: 'store',
  description: 'appends, readAll and catch-up subscriptions against the embedded store, durable vs in-memory',
  async run(context) {
    const workload = storeWorkload(context);
    const durable = await runStorageMode('durable', workload, context);
    const mirrored = sameCountsAs(workload, durable.singleAppends.appends, durable.batchedAppends.appends);
    const inMemory = await runStorageMode('inMemory', mirrored, context);
    const figures = compareModes(workload, durable, inMemory);
    return {
      tables: [figuresTable(figures, workload, durable, inMemory), cpuTable(durable, inMemory)],
      results: {
        workload,
        figures,
        otherProcessesCores: { durable: otherCoresOf(durable), inMemory: otherCoresOf(inMemory) },
        modes: { durable, inMemory },
      },
    };
  },
};
