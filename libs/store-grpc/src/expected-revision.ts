import type { ExpectedRevision } from '@spillway/store-engine';

/** The expected-revision oneof as Append, Delete and Tombstone options carry it (BatchAppend: batch-append-wire.ts). */
export interface ExpectationOptions {
  hasAny(): boolean;
  hasNoStream(): boolean;
  hasStreamExists(): boolean;
}

/** Undefined when no option is set, which a real server rejects as an invalid argument. */
export function expectedRevisionOf(options: ExpectationOptions, exactRevision: string | undefined): ExpectedRevision | undefined {
  if (exactRevision !== undefined) return BigInt(exactRevision);
  if (options.hasAny()) return 'any';
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  return undefined;
}
