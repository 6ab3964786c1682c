import { holdShutdownSignals } from '@spillway/runtime';

// The launcher's modules load after this: a Ctrl-C meanwhile would otherwise kill it by the
// signal's default action, leaving whatever it had started running.
holdShutdownSignals();
await import('./start-body.ts');
