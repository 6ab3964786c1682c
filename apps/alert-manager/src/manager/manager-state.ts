import { z } from 'zod';
import { alertStateSchema, alertSubscriptionSchema, initialAlertState, type AlertInput, type AlertInputEvent, type AlertState, type AlertSubscription } from '@spillway/alert-rules';
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
  /** When each dataflow's latest backfill started (epoch ms), subscribed or not: a later subscription starts from it. */
  backfillsStartedAt: z.record(z.string(), z.number().int()).default({}),
});
export type ManagerState = z.infer<typeof managerStateSchema>;

export const emptyManagerState = (): ManagerState => ({ subscriptions: {}, destinations: {}, openCircuits: {}, alerts: {}, backfillsStartedAt: {} });

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
export function routeEvent(known: ManagerState, eventId: string, event: InputEvent): { readonly known: ManagerState; readonly evaluations: Evaluation[] } {
  const evaluate = (state: ManagerState, dataflowId: string, input: AlertInput, subscription = state.subscriptions[dataflowId]): Evaluation[] =>
    subscription ? [{ dataflowId, subscription, state: state.alerts[dataflowId] ?? initialAlertState, input }] : [];
  const measured = (input: AlertInputEvent): AlertInput => ({ kind: 'event', eventId, event: input });
  switch (event.type) {
    case 'AlertSubscriptionConfigured': {
      const next = subscriptionConfigured(known, event.data);
      const { dataflowId } = event.data;
      // A circuit already open when the subscription came is still worth an alert.
      const destination = known.destinations[dataflowId];
      const circuit = destination === undefined || known.alerts[dataflowId] ? undefined : known.openCircuits[destination];
      const opened: AlertInput = circuit ? { kind: 'event', eventId, event: { type: 'CircuitOpened', data: circuit } } : { kind: 'tick' };
      return { known: next, evaluations: evaluate(next, dataflowId, opened) };
    }
    case 'AlertSubscriptionDeleted': {
      const { dataflowId } = event.data;
      const subscription = known.subscriptions[dataflowId];
      const { [dataflowId]: _subscription, ...subscriptions } = known.subscriptions;
      const { [dataflowId]: _alerts, ...alerts } = known.alerts;
      return { known: { ...known, subscriptions, alerts }, evaluations: subscription ? evaluate(known, dataflowId, { kind: 'tick' }, withRulesOff(subscription)) : [] };
    }
    case 'DataflowConfigured':
      return { known: { ...known, destinations: { ...known.destinations, [event.data.dataflowId]: event.data.destinationId } }, evaluations: [] };
    case 'DataflowDeleted': {
      const { [event.data.dataflowId]: _destination, ...destinations } = known.destinations;
      return { known: { ...known, destinations }, evaluations: [] };
    }
    case 'CircuitOpened':
    case 'CircuitClosed': {
      const { destinationId } = event.data;
      const { [destinationId]: _open, ...closed } = known.openCircuits;
      const next = { ...known, openCircuits: event.type === 'CircuitOpened' ? { ...closed, [destinationId]: event.data } : closed };
      const dataflows = Object.entries(known.destinations).filter(([, destination]) => destination === destinationId);
      return { known: next, evaluations: dataflows.flatMap(([dataflowId]) => evaluate(next, dataflowId, measured(event))) };
    }
    case 'BackfillStarted': {
      const { dataflowId } = event.data;
      const startedAt = Date.parse(event.data.startedAt);
      const next = { ...known, backfillsStartedAt: { ...known.backfillsStartedAt, [dataflowId]: Math.max(known.backfillsStartedAt[dataflowId] ?? startedAt, startedAt) } };
      return { known: next, evaluations: evaluate(next, dataflowId, measured(event)) };
    }
    default:
      return { known, evaluations: evaluate(known, event.data.dataflowId, measured(event)) };
  }
}

/** The subscription kept; a backfill that started before it still exported history (not delay samples). */
function subscriptionConfigured(known: ManagerState, subscription: AlertSubscription): ManagerState {
  const { dataflowId } = subscription;
  const historyBefore = known.backfillsStartedAt[dataflowId];
  const alerts = known.alerts[dataflowId] || historyBefore === undefined ? known.alerts : { ...known.alerts, [dataflowId]: { ...initialAlertState, historyBefore } };
  return { ...known, subscriptions: { ...known.subscriptions, [dataflowId]: subscription }, alerts };
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
