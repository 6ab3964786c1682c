import { createLogger } from '../logger.ts';
import { onShutdown } from '../shutdown.ts';

const logger = createLogger({ service: 'fixture' });
const work = setInterval(() => {}, 1_000);
onShutdown(logger, [() => clearInterval(work)]);
logger.info('started');
