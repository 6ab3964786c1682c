import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidBenchOptionsError, parseBenchOptions, usage } from './options.ts';
import { describeMachine } from './output/machine.ts';
import { writeResults } from './output/results-file.ts';
import { renderTable } from './output/table.ts';
import type { BenchContext } from './suite.ts';
import { suites } from './suites/index.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2), join(repoRoot, '.tmp', 'bench'), suites.map((suite) => suite.name));
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const context: BenchContext = {
    quick: options.quick,
    phaseDurationMs: options.phaseDurationMs,
    profiles: options.profiles,
    progress: (message) => process.stderr.write(`[bench] ${message}\n`),
  };
  const machine = describeMachine();
  const selected = suites.filter((suite) => options.only.length === 0 || options.only.includes(suite.name));
  for (const suite of selected) {
    const startedAt = new Date();
    const loadAverageBefore = loadavg();
    context.progress(`${suite.name}: ${suite.description}`);
    const report = await suite.run(context);
    const finishedAt = new Date();
    const loads = loadAverageBefore.map((load) => load.toFixed(2)).join(' ');
    const machineLine = `${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, load average before ${loads}`;
    process.stdout.write(`\n## bench ${suite.name}: ${startedAt.toISOString()}, ${machineLine}${options.quick ? ', --quick' : ''}\n\n`);
    for (const table of report.tables) process.stdout.write(`${renderTable(table)}\n\n`);
    const written = await writeResults(options.outDir, suite.name, startedAt, {
      suite: suite.name,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      machine,
      loadAverage: { before: loadAverageBefore, after: loadavg() },
      options: { quick: options.quick, phaseDurationMs: options.phaseDurationMs, profiles: options.profiles },
      ...report.results,
    });
    process.stdout.write(`results: ${written.path}\n`);
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`${error instanceof InvalidBenchOptionsError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
