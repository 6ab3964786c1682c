import { holdShutdownSignals } from '../shutdown.ts';

// A service entry that is asked to stop while its modules load: `hold` is what every main does.
if (process.argv[2] === 'hold') holdShutdownSignals();
process.kill(process.pid, 'SIGTERM');
// Loading a large module graph keeps the main thread busy: the signal is caught but not yet dispatched.
const busyUntil = Date.now() + 200;
while (Date.now() < busyUntil);
await import('./service-with-shutdown.ts');
