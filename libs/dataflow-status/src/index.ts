export {
  readDataflowCounts,
  scanDataflowCounts,
  type CountsReading,
  type DataflowCountsReader,
  type ReadCountsOptions,
} from './counts/read-dataflow-counts.ts';
export { createCountsTally, type CountsScan, type CountsTally, type DataflowCounts } from './counts/counts-tally.ts';
export { countsSnapshotsKept, loadCountsSnapshot } from './counts/counts-snapshots.ts';
export { createLatencySummary, type LatencyBucket } from './latency-summary.ts';
export {
  createActivityFold,
  defaultActivityWindow,
  foldActivity,
  type ActivityBucket,
  type ActivityEvent,
  type ActivityFigures,
  type ActivityWindow,
  type DataflowActivity,
} from './activity/activity-fold.ts';
export { readDataflowActivity } from './activity/read-activity.ts';
export { deadLetterStatusSchema, instantFilterSchema, matchesFilters, type DeadLetterFilters } from './dead-letters/dead-letter-filters.ts';
export { createDeadLetterList, listDeadLetters, type DeadLetterStreamEvent, type ListedDeadLetter } from './dead-letters/dead-letter-list.ts';
export { deadLetterStreamEvents, readDeadLetters } from './dead-letters/read-dead-letters.ts';
export { replayDeadLetters, type Replay, type ReplayOptions, type ReplayResult } from './dead-letters/replay-dead-letters.ts';
export { circuitStateOf, openAlertsOf, type AlertEvent, type CircuitEvent, type CircuitState } from './state/dataflow-state-fold.ts';
export { readDataflowHealth, type DataflowHealth } from './state/read-dataflow-state.ts';
export { deadLetteredEvents, deliveryOutcomeEvents, exportRequestEvents } from './outcome-catalogs.ts';
