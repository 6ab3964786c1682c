import { setTimeout as sleep } from 'node:timers/promises';
import type { StoreProcess } from '@spillway/testing';

/** Starts the store again on its port and data; the port was just released, so a start that loses the race for it is tried again. */
export async function restartStore(store: StoreProcess): Promise<StoreProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.restart();
    } catch (error) {
      if (attempt >= 5) throw error;
      await sleep(300);
    }
  }
}
