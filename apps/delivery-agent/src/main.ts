import { holdShutdownSignals } from '@spillway/runtime';

// The service's modules load after this: a SIGINT or SIGTERM meanwhile (a Ctrl-C right after
// `npm start`) would otherwise kill it by the signal's default action instead of stopping it.
holdShutdownSignals();
await import('./main-body.ts');
