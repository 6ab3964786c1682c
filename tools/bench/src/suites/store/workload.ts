import { jsonEvent } from '@eventstore/db-client';
import type { WorkerBudget } from '../../measure/workers.ts';
import type { BenchContext } from '../../suite.ts';

/** How much the store suite writes and reads; sized so the default run stays well under two minutes. */
export interface StoreWorkload {
  readonly singleWriters: number;
  readonly batchWriters: number;
  readonly batchSize: number;
  readonly readPageSize: number;
  readonly phaseDurationMs: number;
  /** Timed, with a cap so a very fast store cannot make the read phases run long. */
  readonly singleAppends: WorkerBudget;
  readonly batches: WorkerBudget;
  /** Untimed appends first, so connection set-up and JIT warm-up do not count. */
  readonly warmupAppends: number;
}

export function storeWorkload(context: BenchContext): StoreWorkload {
  return {
    singleWriters: 32,
    batchWriters: 4,
    batchSize: 100,
    readPageSize: 1_000,
    phaseDurationMs: context.phaseDurationMs,
    singleAppends: { durationMs: context.phaseDurationMs, maxOperations: context.quick ? 3_000 : 100_000 },
    batches: { durationMs: context.phaseDurationMs, maxOperations: context.quick ? 100 : 3_000 },
    warmupAppends: context.quick ? 200 : 1_000,
  };
}

/**
 * The second storage mode writes exactly as many appends as the first did (time allowing), so
 * both read the same log and their memory and read figures compare like with like.
 */
export function sameCountsAs(workload: StoreWorkload, singleAppends: number, batches: number): StoreWorkload {
  const durationMs = workload.phaseDurationMs * 3;
  return {
    ...workload,
    singleAppends: { durationMs, maxOperations: singleAppends },
    batches: { durationMs, maxOperations: batches },
  };
}

/** Streams under this prefix get 10% of all events: the filtered subscription's selection. */
export const selectedPrefix = 'sel-';
const slotsPerWriter = 20;

/** Each writer cycles over 20 streams of its own; slots 0 and 10 are selected ones. */
export function streamName(phase: 'warmup' | 'single' | 'batch', writer: number, sequence: number): string {
  const slot = sequence % slotsPerWriter;
  return `${slot % 10 === 0 ? selectedPrefix : 'bench-'}${phase}-${writer}-${slot}`;
}

/** A profile change of a realistic size (about 300 bytes of JSON data). */
export function profileChangeEvent(writer: number, sequence: number) {
  return jsonEvent({
    type: 'ProfileAttributesWritten',
    data: {
      profileId: `profile-${writer}-${sequence % 5_000}`,
      attributes: {
        'person.name.firstName': 'Ada',
        'person.name.lastName': 'Lovelace',
        'personalEmail.address': `ada.${sequence}@example.com`,
        'loyalty.points': sequence,
        'homeAddress.city': 'London',
      },
      identities: [{ namespace: 'ECID', id: `ecid-${writer}-${sequence}` }],
    },
    metadata: { source: 'bench', writer },
  });
}
