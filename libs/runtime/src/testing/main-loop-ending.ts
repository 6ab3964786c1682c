// A service whose main loop ends as argv[2] says ('resolve' or 'reject'), watched by exitWhenFailed.
import { exitWhenFailed } from '../exit-when-failed.ts';
import { createLogger } from '../logger.ts';

const logger = createLogger({ service: 'fixture' });
const keepAlive = setInterval(() => {}, 1_000);
const done = process.argv[2] === 'reject' ? Promise.reject(new Error('the subscription broke')) : Promise.resolve();
exitWhenFailed(logger, 'worker', done, () => ({ counts: { handled: 3 } }));
setTimeout(() => clearInterval(keepAlive), 500);
