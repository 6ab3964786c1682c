import { z } from 'zod';
import { alertStateSchema, alertSubscriptionSchema, initialAlertState, observe, type AlertInput, type AlertInputEvent, type AlertState, type AlertSubscription } from '@spillway/alert-rules';
import { circuitOpenedSchema } from '@spillway/pipeline-events';
import type { CatalogEvent } from '@spillway/event-streams';
import type { alertManagerInputEvents } from './input-events.ts';

/**
 * Everything the alert manager knows, as of its checkpoint: the subscriptions, which destination
 * each dataflow delivers to, which circuits are open, and the evaluator state of every subscribed
 * dataflow. Plain JSON: it is stored with the checkpoint (state-checkpoints.ts).
 */
export const managerStateSchema = z.strictObject({
  subscriptions: z.record(z.string(), alertSubscriptionSchema),
  destinations: z.record(z.string(), z.string()),
  openCircuits: z.record(z.string(), circuitOpenedSchema),
  alerts: z.record(z.string(), alertStateSchema),
  /**
   * Each dataflow's backfills (the latest start, the ones still running), subscribed or not: a
   * later subscription starts from them, as it does from an open circuit.
   */
  backfillsSeen: z.record(z.string(), alertStateSchema).default({}),
  /**
   * The last subscription of each dataflow unsubscribed since its decisions were last all told:
   * where the decisions still waiting in its outbox go, after a restart too. Forgotten once told.
   */
  unsubscribed: z.record(z.string(), alertSubscriptionSchema).default({}),
});
export type ManagerState = z.infer<typeof managerStateSchema>;

export const emptyManagerState = (): ManagerState => ({ subscriptions: {}, destinations: {}, openCircuits: {}, alerts: {}, backfillsSeen: {}, unsubscribed: {} });

export type InputEvent = CatalogEvent<typeof alertManagerInputEvents>;

/** One evaluation to run: a subscribed dataflow, its subscription (the rules), and the input. */
export interface Evaluation {
  readonly dataflowId: string;
  readonly subscription: AlertSubscription;
  readonly state: AlertState;
  readonly input: AlertInput;
}

/** The subscription with every rule off: evaluating it resolves whatever is open. */
export function withRulesOff(subscription: AlertSubscription): AlertSubscription {
  const rules = Object.fromEntries(Object.entries(subscription.rules).map(([name, settings]) => [name, { ...settings, enabled: false }])) as AlertSubscription['rules'];
  return { ...subscription, rules };
}

/**
 * Applies the configuration part of an event to the known state, and says which evaluations it
 * calls for. Pure: the shell runs the evaluations, writes their decisions, then keeps the state.
 */
export function routeEvent(known: ManagerState, eventId: string, event: InputEvent): Routed {
  const measured = (input: AlertInputEvent): AlertInput => ({ kind: 'event', eventId, event: input });
  switch (event.type) {
    case 'AlertSubscriptionConfigured':
      return subscriptionConfigured(known, eventId, event.data);
    case 'AlertSubscriptionDeleted': {
      const { dataflowId } = event.data;
      const subscription = known.subscriptions[dataflowId];
      const { [dataflowId]: _subscription, ...subscriptions } = known.subscriptions;
      const { [dataflowId]: _alerts, ...alerts } = known.alerts;
      if (!subscription) return { known: { ...known, subscriptions, alerts }, evaluations: [] };
      const retired = withRulesOff(subscription);
      const unsubscribed = { ...known.unsubscribed, [dataflowId]: retired };
      return { known: { ...known, subscriptions, alerts, unsubscribed }, evaluations: evaluate(known, dataflowId, { kind: 'tick' }, retired) };
    }
    case 'DataflowConfigured':
      return destinationChosen(known, event.data.dataflowId, event.data.destinationId);
    case 'DataflowDeleted': {
      const { dataflowId } = event.data;
      const { [dataflowId]: _destination, ...destinations } = known.destinations;
      const { [dataflowId]: _backfills, ...backfillsSeen } = known.backfillsSeen;
      const next = { ...known, destinations, backfillsSeen };
      const state = known.alerts[dataflowId];
      if (!known.subscriptions[dataflowId] || !state?.circuit) return { known: next, evaluations: [] };
      // It sends nowhere now: its former destination's circuit (whose closing it would no longer hear of) is not its concern.
      const cleared = { ...next, alerts: { ...next.alerts, [dataflowId]: { ...state, circuit: null } } };
      return { known: cleared, evaluations: evaluate(cleared, dataflowId, { kind: 'tick' }) };
    }
    case 'CircuitOpened':
    case 'CircuitClosed': {
      const { destinationId } = event.data;
      const { [destinationId]: _open, ...closed } = known.openCircuits;
      const next = { ...known, openCircuits: event.type === 'CircuitOpened' ? { ...closed, [destinationId]: event.data } : closed };
      const dataflows = Object.entries(known.destinations).filter(([, destination]) => destination === destinationId);
      return { known: next, evaluations: dataflows.flatMap(([dataflowId]) => evaluate(next, dataflowId, measured(event))) };
    }
    case 'BackfillStarted':
    case 'BackfillProgress':
    case 'BackfillCompleted': {
      const { dataflowId } = event.data;
      const seen = observe(known.backfillsSeen[dataflowId] ?? initialAlertState, event);
      const next = { ...known, backfillsSeen: { ...known.backfillsSeen, [dataflowId]: seen } };
      return { known: next, evaluations: evaluate(next, dataflowId, measured(event)) };
    }
    default:
      return { known, evaluations: evaluate(known, event.data.dataflowId, measured(event)) };
  }
}

type Routed = { readonly known: ManagerState; readonly evaluations: Evaluation[] };

function evaluate(state: ManagerState, dataflowId: string, input: AlertInput, subscription = state.subscriptions[dataflowId]): Evaluation[] {
  return subscription ? [{ dataflowId, subscription, state: state.alerts[dataflowId] ?? initialAlertState, input }] : [];
}

/**
 * The subscription kept and evaluated. A new one starts from what happened before it: an open
 * circuit is still worth an alert, a backfill still running can stall, and the history a backfill
 * exported is no delivery delay.
 */
function subscriptionConfigured(known: ManagerState, eventId: string, subscription: AlertSubscription): Routed {
  const { dataflowId } = subscription;
  const isNew = known.alerts[dataflowId] === undefined;
  const seen = known.backfillsSeen[dataflowId];
  const alerts = !isNew || seen === undefined ? known.alerts : { ...known.alerts, [dataflowId]: seen };
  const { [dataflowId]: _retired, ...unsubscribed } = known.unsubscribed;
  const next = { ...known, subscriptions: { ...known.subscriptions, [dataflowId]: subscription }, alerts, unsubscribed };
  const destination = known.destinations[dataflowId];
  const circuit = destination === undefined || !isNew ? undefined : known.openCircuits[destination];
  const opened: AlertInput = circuit ? { kind: 'event', eventId, event: { type: 'CircuitOpened', data: circuit } } : { kind: 'tick' };
  return { known: next, evaluations: evaluate(next, dataflowId, opened) };
}

/**
 * The dataflow's destination kept. When it changed, the circuit the rules see becomes the new
 * destination's: an endpoint-unreachable alert about the old one is resolved (or stays raised
 * when the new one is open too).
 */
function destinationChosen(known: ManagerState, dataflowId: string, destinationId: string): Routed {
  const next = { ...known, destinations: { ...known.destinations, [dataflowId]: destinationId } };
  if (known.destinations[dataflowId] === destinationId || !known.subscriptions[dataflowId]) return { known: next, evaluations: [] };
  const state = known.alerts[dataflowId] ?? initialAlertState;
  const open = known.openCircuits[destinationId];
  const circuit = open ? { openedAt: Date.parse(open.openedAt), failures: open.failures, lastError: open.lastError } : null;
  const switched = { ...next, alerts: { ...next.alerts, [dataflowId]: { ...state, circuit } } };
  return { known: switched, evaluations: evaluate(switched, dataflowId, { kind: 'tick' }) };
}

/** A tick for every subscribed dataflow: time-based raises and resolutions. */
export function tickEvaluations(known: ManagerState): Evaluation[] {
  return Object.entries(known.subscriptions).map(([dataflowId, subscription]) => ({ dataflowId, subscription, state: known.alerts[dataflowId] ?? initialAlertState, input: { kind: 'tick' } }));
}

/** Keeps the evaluator's new state of one dataflow (unless its subscription is gone meanwhile). */
export function keepAlertState(known: ManagerState, dataflowId: string, state: AlertState): ManagerState {
  if (!known.subscriptions[dataflowId]) return known;
  return { ...known, alerts: { ...known.alerts, [dataflowId]: state } };
}

/** Every subscription whose dataflow may have decisions not yet told: the subscribed and the unsubscribed. */
export function notificationTargets(known: ManagerState): AlertSubscription[] {
  return [...Object.values(known.subscriptions), ...Object.values(known.unsubscribed)];
}

/** The unsubscribed dataflow's decisions are all told: its last subscription is no longer needed. */
export function forgetUnsubscribed(known: ManagerState, dataflowId: string): ManagerState {
  if (!known.unsubscribed[dataflowId]) return known;
  const { [dataflowId]: _told, ...unsubscribed } = known.unsubscribed;
  return { ...known, unsubscribed };
}
