import { readFileSync } from 'node:fs';
import { connectEventStore } from '@spillway/event-streams';
const storeCpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
import { createLogger } from '@spillway/runtime';
import { startStoreProcess } from '@spillway/testing';
import { ingestEvents, ingestStreamName } from '@spillway/xdm';
import { ingestInputEvents } from './projection/ingest-events.ts';
import { runProjector } from './projection/projector.ts';

const storeProcess = await startStoreProcess();
const logger = createLogger({ service: 'perf', level: 'warn' });
const store = await connectEventStore(storeProcess.connectionString, { logger });
const profiles = 2000, rounds = 5;
const t0 = Date.now();
for (let round = 0; round < rounds; round++) {
  const ids = Array.from({ length: profiles }, (_, i) => `perf-p${i}`);
  for (let i = 0; i < ids.length; i += 200) {
    await Promise.all(ids.slice(i, i + 200).map((id) => store.appendEvents(ingestStreamName(id), ingestInputEvents, [ingestEvents.attributesWritten(id, { loyalty: { points: round } }, '2026-02-01T10:00:00Z')])));
  }
}
console.log('appended', profiles * rounds, 'in', Date.now() - t0, 'ms');
for (const maxInFlight of [Number(process.argv[2] ?? 256)]) {
  const t1 = Date.now(); const c1 = process.cpuUsage(); const s1 = storeCpu(storeProcess.pid);
  const projector = runProjector({ store, logger, partition: { index: 0, count: 1 }, cacheSize: 50000, maxInFlight, consumer: `perf-${maxInFlight}` });
  await projector.caughtUp;
  const ms = Date.now() - t1; const c = process.cpuUsage(c1); console.log('projector cpu ms', Math.round((c.user + c.system) / 1000), 'store cpu ms', storeCpu(storeProcess.pid) - s1);
  await projector.stop();
  console.log('maxInFlight', maxInFlight, 'projected', projector.counts(), 'in', ms, 'ms =', Math.round((profiles * rounds) / (ms / 1000)), 'events/s');
}
await store.close();
await storeProcess.stop();
await storeProcess.removeData();
