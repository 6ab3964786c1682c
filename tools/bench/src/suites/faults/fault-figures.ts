import type { LatencySummary } from '../../measure/percentiles.ts';

/** What the agent recorded for the run's exports (deliveries- and deadletters- streams). */
export interface RecordedOutcomes {
  readonly requested: number;
  /** Attempts of each delivered export. */
  readonly deliveredAttempts: readonly number[];
  /** ExportAttemptFailed: failed attempts that were retried. */
  readonly retried: number;
  readonly superseded: number;
  readonly deadLettered: number;
}

export interface FaultFigures {
  readonly requested: number;
  readonly delivered: number;
  readonly deliveredFirstAttempt: number;
  readonly retried: number;
  readonly superseded: number;
  readonly deadLettered: number;
  /** Exports with no final outcome when the run stopped waiting. */
  readonly unsettled: number;
  /** Delivered on the first attempt, of all exports requested. */
  readonly firstAttemptShare: number;
  /** Delivered in the end (any attempt), of all exports requested. */
  readonly finalShare: number;
  /** Of the exports not superseded (those the agent had to send): delivered in the end. */
  readonly finalShareOfSent: number;
  /** From each change's append acknowledgement until the endpoint accepted its state (its export or a newer one). */
  readonly endToEnd: LatencySummary;
}

export function faultFigures(outcomes: RecordedOutcomes, endToEnd: LatencySummary): FaultFigures {
  const delivered = outcomes.deliveredAttempts.length;
  const deliveredFirstAttempt = outcomes.deliveredAttempts.filter((attempts) => attempts === 1).length;
  const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
  const sent = outcomes.requested - outcomes.superseded;
  return {
    requested: outcomes.requested,
    delivered,
    deliveredFirstAttempt,
    retried: outcomes.retried,
    superseded: outcomes.superseded,
    deadLettered: outcomes.deadLettered,
    unsettled: Math.max(0, outcomes.requested - delivered - outcomes.superseded - outcomes.deadLettered),
    firstAttemptShare: share(deliveredFirstAttempt, outcomes.requested),
    finalShare: share(delivered, outcomes.requested),
    finalShareOfSent: share(delivered, sent),
    endToEnd,
  };
}
