import { randomUUID } from 'node:crypto';
import type { RecordedEvent, StoreEngine } from '@spillway/store-engine';
import type { ReadMessage } from './protocol.ts';
import { encodeReadEvent } from './read-event-wire.ts';
import type { CallWriter } from './call-writer.ts';
import { CommitWaiter } from './commit-waiter.ts';
import { rpcErrors } from './errors.ts';
import { caughtUpResponse, checkpointResponse, confirmationResponse } from './events.ts';
import type { UuidForm } from './events.ts';
import type { EventFilter } from './filter.ts';
import type { ReadFrom } from './read-request.ts';

const pageSize = 256n;
/** How long a live filtered subscription waits for a commit before it reports, in a checkpoint, how far it has scanned. */
const idleCheckpointMs = 200;

export interface SubscriptionHooks {
  /** Called with the subscription id when it starts; returns the function called when it ends. */
  readonly started: (subscriptionId: string) => () => void;
}

/** What one step of a subscription did: sent a page, found nothing new, or found the call gone. */
type Step = 'sent' | 'nothing-new' | 'stopped';

/**
 * Shared shape of both catch-up subscriptions: confirmation first, pages of events after the
 * starting point (which is excluded), `caught_up` once the first time the head is reached, then
 * live pages woken by engine commits, until the call goes away.
 */
async function runSubscription(
  engine: StoreEngine,
  writer: CallWriter<ReadMessage>,
  hooks: SubscriptionHooks,
  sendNextPage: () => Promise<Step>,
  reportScanned: () => Promise<boolean>,
  scannedUntold?: () => boolean,
): Promise<void> {
  const subscriptionId = randomUUID();
  const ended = hooks.started(subscriptionId);
  const waiter = new CommitWaiter(engine);
  const stopWaiting = writer.onClose(() => waiter.close());
  try {
    if (!(await writer.write(confirmationResponse(subscriptionId)))) return;
    let caughtUp = false;
    while (writer.isOpen) {
      const head = engine.headPosition();
      const step = await sendNextPage();
      if (step === 'stopped') return;
      if (step === 'sent') continue;
      if (!caughtUp) {
        caughtUp = true;
        if (!(await reportScanned()) || !(await writer.write(caughtUpResponse()))) return;
      }
      // Only a subscription that scanned past events the client was not told of waits with a timer.
      if (scannedUntold?.() === true && !(await waiter.waitBeyondFor(head, idleCheckpointMs))) {
        if (!(await reportScanned())) return;
      }
      await waiter.waitBeyond(head);
    }
  } finally {
    stopWaiting();
    waiter.close();
    ended();
  }
}

/** Writes events in order; false once the call is gone. */
async function writeEvents(writer: CallWriter<ReadMessage>, events: readonly RecordedEvent[], uuidForm: UuidForm, sent: (event: RecordedEvent) => void): Promise<boolean> {
  for (const event of events) {
    if (!(await writer.write(encodeReadEvent(event, uuidForm)))) return false;
    sent(event);
  }
  return true;
}

export interface StreamSubscription {
  readonly streamName: string;
  readonly from: ReadFrom;
  readonly uuidForm: UuidForm;
}

export async function serveStreamSubscription(
  engine: StoreEngine,
  subscription: StreamSubscription,
  writer: CallWriter<ReadMessage>,
  hooks: SubscriptionHooks,
): Promise<void> {
  const { streamName, uuidForm } = subscription;
  const current = engine.currentRevision(streamName);
  let last = subscription.from === 'start' ? -1n : subscription.from === 'end' ? (current === 'no_stream' ? -1n : current) : subscription.from;
  await runSubscription(
    engine,
    writer,
    hooks,
    async () => {
      const outcome = engine.readStream(streamName, { direction: 'forwards', from: last + 1n, maxCount: pageSize });
      if (outcome.kind === 'stream_deleted') throw rpcErrors.streamDeleted(streamName);
      const events = outcome.kind === 'events' ? Array.from(outcome.events) : [];
      if (events.length === 0) return 'nothing-new';
      return (await writeEvents(writer, events, uuidForm, (event) => (last = event.revision))) ? 'sent' : 'stopped';
    },
    async () => true,
  );
}

export interface AllSubscription {
  readonly from: ReadFrom;
  readonly filter: EventFilter | undefined;
  readonly uuidForm: UuidForm;
}

/**
 * With a filter, a checkpoint goes out every `checkpointInterval` scanned events, before
 * `caught_up`, and when a live subscription has scanned past events it did not send and then no
 * commit came for `idleCheckpointMs` (so a quiet consumer's position, and its lag, catch up with
 * the head; EventStoreDB sends none then).
 */
export async function serveAllSubscription(
  engine: StoreEngine,
  subscription: AllSubscription,
  writer: CallWriter<ReadMessage>,
  hooks: SubscriptionHooks,
): Promise<void> {
  const { filter, uuidForm } = subscription;
  let position = subscription.from === 'start' ? -1n : subscription.from === 'end' ? engine.headPosition() : subscription.from;
  let scannedSinceCheckpoint = 0;
  let lastCheckpoint: bigint | undefined;
  /** The newest position the client knows of: of the last event or checkpoint sent. */
  let told = position;
  const checkpoint = async (at: bigint) => {
    scannedSinceCheckpoint = 0;
    lastCheckpoint = at;
    told = at;
    return writer.write(checkpointResponse(at));
  };
  /** A checkpoint at the last scanned position, unless one already names it. */
  const reportScanned = async () => (filter === undefined || position < 0n || position === lastCheckpoint ? true : checkpoint(position));
  const sendAll = async (): Promise<Step> => {
    const events = Array.from(engine.readAll({ direction: 'forwards', from: position + 1n, maxCount: pageSize }));
    if (events.length === 0) return 'nothing-new';
    return (await writeEvents(writer, events, uuidForm, (event) => (position = event.position))) ? 'sent' : 'stopped';
  };
  // A page never crosses a checkpoint: it ends on the scanned event the checkpoint names.
  const sendSelected = async (selected: EventFilter): Promise<Step> => {
    const maxCount = BigInt(Math.min(Number(pageSize), selected.checkpointInterval - scannedSinceCheckpoint));
    const page = engine.readAllSelected({ direction: 'forwards', from: position + 1n, maxCount }, selected.selector);
    if (page.lastScanned === undefined) return 'nothing-new';
    if (!(await writeEvents(writer, page.events, uuidForm, (event) => (told = event.position)))) return 'stopped';
    position = page.lastScanned;
    scannedSinceCheckpoint += page.scanned;
    if (scannedSinceCheckpoint >= selected.checkpointInterval && !(await checkpoint(position))) return 'stopped';
    return 'sent';
  };
  await runSubscription(
    engine,
    writer,
    hooks,
    filter === undefined ? sendAll : () => sendSelected(filter),
    reportScanned,
    filter === undefined ? undefined : () => position >= 0n && position !== told,
  );
}
