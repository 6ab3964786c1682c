import { evaluateAlerts } from '@spillway/alert-rules';
import type { RetryPolicy, SecretSources } from '@spillway/delivery';
import { deterministicEventId, runConsumer, type CatalogEvent, type Consumer, type ConsumerStats, type EventMessage, type EventStore } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
import { createNotifier, defaultNotificationRetry, type NotificationCounts } from '../notify/notifier.ts';
import { createNotificationOutbox, type NotificationActivity } from '../notify/outbox.ts';
import { alertManagerInputEvents, alertManagerInputFilter } from './input-events.ts';
import { emptyManagerState, forgetUnsubscribed, keepAlertState, notificationTargets, routeEvent, tickEvaluations, type Evaluation, type ManagerState } from './manager-state.ts';
import { createStateCheckpointStore } from './state-checkpoints.ts';
import { appendDecisions } from './write-decisions.ts';

export const alertManagerService = 'alert-manager';

export interface AlertManagerOptions {
  readonly store: EventStore;
  readonly logger: Logger;
  /** Where `env:` / `file:` references in webhook headers are resolved. */
  readonly secrets: SecretSources;
  /** How often time-based rules are looked at (stalls, quiet periods, windows emptying). @defaultValue 1000 */
  readonly tickMs?: number;
  /** @defaultValue defaultNotificationRetry */
  readonly retry?: Partial<RetryPolicy>;
  /** @defaultValue `alert-manager` */
  readonly consumer?: string;
  readonly now?: () => Date;
  /** Each checkpoint stores the whole state, so less often than other consumers. @defaultValue { events: 1000, ms: 5000 } */
  readonly checkpointEvery?: { readonly events?: number; readonly ms?: number };
}

export interface AlertManagerCounts extends NotificationCounts {
  readonly raised: number;
  readonly resolved: number;
}

export interface AlertManager extends Consumer {
  counts(): AlertManagerCounts;
  notificationActivity(): NotificationActivity;
}

type InputMessage = EventMessage<CatalogEvent<typeof alertManagerInputEvents>>;

/**
 * The alert manager: one checkpointed $all consumer of deliveries, dead letters, circuits,
 * backfills, dataflows and alert subscriptions, plus a clock tick. Events and ticks are handled
 * one at a time: evaluate, append the decisions to `alerts-<dataflowId>`, and only then keep the
 * new state, so whatever a crash interrupts is decided again. The webhooks are not waited for:
 * the appended decisions are the outbox, sent per dataflow in the background (outbox.ts).
 */
export function runAlertManager(options: AlertManagerOptions): AlertManager {
  const { store } = options;
  const consumerName = options.consumer ?? alertManagerService;
  const logger = options.logger.child({ consumer: consumerName });
  const now = options.now ?? (() => new Date());
  const aborting = new AbortController();
  const notifier = createNotifier({ store, logger, secrets: options.secrets, retry: options.retry ?? defaultNotificationRetry, signal: aborting.signal, now });
  let known: ManagerState = emptyManagerState();
  let raised = 0;
  let resolved = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };
  const onIdle = (dataflowId: string): void => {
    if (!known.unsubscribed[dataflowId]) return;
    // Checked again in turn: a deletion handled meanwhile may have woken the queue again.
    void exclusive(async () => {
      if (outbox.isIdle(dataflowId)) known = forgetUnsubscribed(known, dataflowId);
    });
  };
  const outbox = createNotificationOutbox({ store, logger, notifier, signal: aborting.signal, onIdle });

  async function apply(evaluations: readonly Evaluation[], next: ManagerState): Promise<void> {
    let kept = next;
    for (const evaluation of evaluations) {
      const result = evaluateAlerts(evaluation.state, evaluation.input, { subscription: evaluation.subscription, now: now(), alertIdOf: deterministicEventId });
      if (result.decisions.length > 0) {
        await appendDecisions(store, evaluation.dataflowId, result.decisions);
        for (const decision of result.decisions) {
          logger.info(decision.kind === 'raise' ? 'alert raised' : 'alert resolved', { dataflowId: evaluation.dataflowId, alertId: decision.alert.alertId, rule: decision.alert.rule, summary: decision.alert.summary });
          if (decision.kind === 'raise') raised++;
          else resolved++;
        }
      }
      kept = keepAlertState(kept, evaluation.dataflowId, result.state);
      // An unsubscribed dataflow's queue is woken even without a decision: once idle, its subscription is forgotten.
      if (result.decisions.length > 0 || kept.unsubscribed[evaluation.dataflowId]) outbox.decided(evaluation.subscription);
      else outbox.subscriptionSeen(evaluation.subscription);
    }
    known = kept;
  }

  const handle = (message: InputMessage): Promise<void> =>
    exclusive(async () => {
      const routed = routeEvent(known, message.eventId, message.event);
      await apply(routed.evaluations, routed.known);
    });

  const tickMs = options.tickMs ?? 1000;
  // Events are judged at the time they happened (evaluateAlerts); a tick at the present while the
  // manager is still reading the past would empty the windows that history is filling.
  let live = false;
  const timer = setInterval(() => {
    if (!live) return;
    exclusive(() => apply(tickEvaluations(known), known)).catch((error: unknown) => {
      if (!aborting.signal.aborted) logger.error('alert tick failed; the next tick tries again', { error });
    });
  }, tickMs);
  timer.unref();

  const consumer = runConsumer({
    store,
    logger,
    consumer: consumerName,
    catalog: alertManagerInputEvents,
    filter: alertManagerInputFilter,
    checkpoints: createStateCheckpointStore(store, { get: () => known, set: (state) => (known = state) }),
    handle,
    checkpointEvery: options.checkpointEvery ?? { events: 1000, ms: 5000 },
  });
  consumer.done.finally(() => clearInterval(timer)).catch(() => undefined);
  consumer.caughtUp.then(() => (live = true)).catch(() => undefined);
  // Decisions appended before a stop or crash and not told yet: their dataflows' queues find them.
  consumer.caughtUp.then(() => notificationTargets(known).forEach((subscription) => outbox.decided(subscription))).catch(() => undefined);

  return {
    caughtUp: consumer.caughtUp,
    done: consumer.done,
    stats: (): ConsumerStats => consumer.stats(),
    counts: () => ({ raised, resolved, ...notifier.counts() }),
    notificationActivity: () => outbox.activity(),
    async stop() {
      clearInterval(timer);
      const stopped = consumer.stop();
      // A notification the abort cuts short has no outcome recorded: the restart sends it again.
      aborting.abort();
      await stopped;
      await queue;
      await outbox.settled();
    },
  };
}
