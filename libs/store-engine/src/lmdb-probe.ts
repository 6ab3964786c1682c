/**
 * Run as a child process by openDataFile: opens a data file read-only and checks it, then prints
 * one JSON line. LMDB has no checksums, and a garbage meta page can make it read wild pointers
 * and crash the process with SIGSEGV; here such a crash only ends this probe.
 *
 * usage: node lmdb-probe.ts <file> <size>
 */
import { StoreDataDamagedError, messageOf } from './errors.ts';
import { asDamage, checkEnvironment, openEnvironment } from './lmdb-file-checks.ts';

export type ProbeReport =
  | { readonly ok: true }
  | { readonly ok: false; readonly damaged: boolean; readonly reason: string };

const [file, size] = process.argv.slice(2);
let report: ProbeReport;
try {
  const root = openEnvironment(file!, true);
  try {
    checkEnvironment(file!, root, Number(size));
  } finally {
    await root.close();
  }
  report = { ok: true };
} catch (error) {
  const damage = asDamage(file!, error);
  report = damage instanceof StoreDataDamagedError ? { ok: false, damaged: true, reason: damage.reason } : { ok: false, damaged: false, reason: messageOf(error) };
}
process.stdout.write(JSON.stringify(report) + '\n');
