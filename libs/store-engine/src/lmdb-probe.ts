/**
 * Run as a child process by openDataFile: opens a data file read-only and checks it, then prints
 * one JSON line. LMDB has no checksums, and a garbage meta page can make it read wild pointers
 * and crash the process with SIGSEGV; here such a crash only ends this probe.
 *
 * usage: node lmdb-probe.ts <file> <size>
 */
import { StoreDataDamagedError, messageOf } from './errors.ts';
import { asDamage, bytesNeeded, checkEnvironment, openEnvironment } from './lmdb-file-checks.ts';

/** The last line the probe prints; a first line gives the bytes the newest transaction needs, for a probe that crashes. */
export type ProbeReport =
  | { readonly ok: true }
  | { readonly ok: false; readonly damaged: boolean; readonly reason: string };

export interface ProbeSize {
  readonly needed: number;
}

const [file, size] = process.argv.slice(2);
let report: ProbeReport;
try {
  const root = openEnvironment(file!, true);
  try {
    process.stdout.write(JSON.stringify({ needed: bytesNeeded(root) } satisfies ProbeSize) + '\n');
    checkEnvironment(file!, root, Number(size), 'read-everything');
  } finally {
    await root.close();
  }
  report = { ok: true };
} catch (error) {
  const damage = asDamage(file!, error);
  report = damage instanceof StoreDataDamagedError ? { ok: false, damaged: true, reason: damage.reason } : { ok: false, damaged: false, reason: messageOf(error) };
}
process.stdout.write(JSON.stringify(report) + '\n');
