import { ensureChromium, storeGlobalSetup } from '@spillway/testing';
import type { TestProject } from 'vitest/node';

/** The suite's store, and the browser the status page test drives. */
export default async function globalSetup(project: TestProject): Promise<() => Promise<void>> {
  ensureChromium();
  return storeGlobalSetup(project);
}
