// Starts a store and a service, prints their pids, then exits without stopping either.
import { startService } from '../service-process.ts';
import { startStoreProcess } from '../store.ts';

const store = await startStoreProcess({ inMemory: true });
const projector = await startService('profile-projector', { EVENTSTORE_CONNECTION_STRING: store.connectionString });
process.stdout.write(`${JSON.stringify({ store: store.pid, service: projector.pid })}\n`);
process.exit(0);
