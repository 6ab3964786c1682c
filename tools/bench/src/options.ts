import { parseArgs } from 'node:util';
import { z } from 'zod';

export const benchOptionsSchema = z.object({
  /** Suites to run; all of them when empty. */
  only: z.array(z.string().min(1)),
  quick: z.boolean(),
  phaseDurationMs: z.number().positive().max(600_000),
  outDir: z.string().min(1),
  /** Profiles the backfill suite seeds and backfills, rows of the csv-import suite's file; each suite's own default when absent. */
  profiles: z.number().int().positive().max(100_000_000).optional(),
  help: z.boolean(),
});

export type BenchOptions = z.infer<typeof benchOptionsSchema>;

export class InvalidBenchOptionsError extends Error {
  readonly type = 'invalid-bench-options';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidBenchOptionsError';
  }
}

export const usage = `npm run bench [-- options]
  --only <suite>[,<suite>]  run only these suites (default: all)
  --quick                   smaller counts and 1 s phases: a smoke run, not a measurement
  --duration <seconds>      length of each timed phase (default 5, or 1 with --quick)
  --out-dir <dir>           where the JSON results go (default .tmp/bench)
  --profiles <count>        profiles the backfill suite seeds and backfills, rows (profiles) of the csv-import
                            suite's file (default 1,000,000, or 2,000 with --quick)
  --help`;

export function parseBenchOptions(argv: readonly string[], defaultOutDir: string, knownSuites: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        only: { type: 'string', multiple: true },
        quick: { type: 'boolean' },
        duration: { type: 'string' },
        'out-dir': { type: 'string' },
        profiles: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new InvalidBenchOptionsError(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  }
  const quick = values.quick ?? false;
  const only = (values.only ?? []).flatMap((list) => list.split(',')).map((name) => name.trim()).filter((name) => name !== '');
  const unknown = only.filter((name) => !knownSuites.includes(name));
  if (unknown.length > 0) throw new InvalidBenchOptionsError(`--only: unknown suite ${unknown.join(', ')} (known: ${knownSuites.join(', ')})`);
  const parsed = benchOptionsSchema.safeParse({
    only,
    quick,
    phaseDurationMs: values.duration === undefined ? (quick ? 1_000 : 5_000) : Number(values.duration) * 1000,
    outDir: values['out-dir'] ?? defaultOutDir,
    ...(values.profiles === undefined ? {} : { profiles: Number(values.profiles.replaceAll('_', '').replaceAll(',', '')) }),
    help: values.help ?? false,
  });
  if (!parsed.success) throw new InvalidBenchOptionsError(`${z.prettifyError(parsed.error)}\n${usage}`);
  return parsed.data;
}
