import { parentPort, workerData } from 'node:worker_threads';
import { serveSenderRequests } from './serve-sender-requests.ts';
import type { SenderThreadData } from './sender-messages.ts';

// The entry of a sender thread (sender-threads.ts starts it).
if (parentPort === null) throw new Error('sender-thread.ts runs as a worker thread');
serveSenderRequests(parentPort, workerData as SenderThreadData);
