import type { Suite } from '../suite.ts';
import { backfillSuite } from './backfill.ts';
import { csvImportSuite } from './csv-import.ts';
import { faultsSuite } from './faults.ts';
import { pipelineSuite } from './pipeline.ts';
import { storeSuite } from './store.ts';

/** Every suite `npm run bench` knows, in the order a plain run goes through them. */
export const suites: readonly Suite[] = [storeSuite, pipelineSuite, faultsSuite, backfillSuite, csvImportSuite];
