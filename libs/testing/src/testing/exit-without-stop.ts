// Starts a durable store (in a temporary data directory of the helper's) and a service, prints
// their pids and the directory, then exits without stopping or cleaning up either.
import { startService } from '../service-process.ts';
import { startStoreProcess } from '../store.ts';

const store = await startStoreProcess();
const projector = await startService('profile-projector', { EVENTSTORE_CONNECTION_STRING: store.connectionString });
process.stdout.write(`${JSON.stringify({ store: store.pid, service: projector.pid, dataDir: store.dataDir })}\n`);
process.exit(0);
