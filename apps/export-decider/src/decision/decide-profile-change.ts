import { AppendTooLargeError, InvalidEventError, type EventStore, type StoredEvent } from '@spillway/event-streams';
import type { ExportRequested, ProfileChanged } from '@spillway/pipeline-events';
import type { Logger } from '@spillway/runtime';
import type { DeciderConfig } from '../configuration/decider-config.ts';
import { createExportAppender } from './export-appender.ts';
import { OncePerVersion } from './once-per-version.ts';
import { planExports, type DecisionProblem, type ExportPlan, type PlannedExport } from './plan-exports.ts';
import { inconsistencyOf, profileIdOfStream } from './profile-change-checks.ts';

export interface DecisionCounts {
  /** Profile changes of this instance's partition that were decided. */
  readonly decided: number;
  readonly exportsRequested: number;
  /** Exports not requested because their dataflow's destination is missing. */
  readonly skippedMissingDestination: number;
  /** Profile changes left to the other instances. */
  readonly otherPartitions: number;
  /** Profile changes skipped as inconsistent, and exports the store refused (too large). */
  readonly skippedInvalid: number;
  /** Appends that wrote the export requests (fewer than them when batched). */
  readonly exportAppends: number;
}

export interface ProfileChangeDeciderOptions {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly now: () => Date;
  /** True for the profiles this instance decides (SPILLWAY_PARTITION). */
  readonly ownsProfile: (profileId: string) => boolean;
  /** Told of each export once it is appended (metrics). */
  readonly onExportRequested?: (request: ExportRequested) => void;
  /**
   * True when no earlier decider can have decided this change (it was not in the log when this
   * one started): its exports may then share an append (see export-appender.ts). @defaultValue never
   */
  readonly batchable?: (message: ProfileChangedMessage) => boolean;
}

export type ProfileChangedMessage = StoredEvent<{ readonly type: 'ProfileChanged'; readonly data: ProfileChanged }>;

export interface ProfileChangeDecider {
  /** False for a profile another instance decides (counted, nothing else to do). */
  owns(message: ProfileChangedMessage): boolean;
  /** Decides one change of an owned profile against the configuration as of its place in the log. */
  decide(message: ProfileChangedMessage, config: DeciderConfig): Promise<void>;
  counts(): DecisionCounts;
}

/**
 * The imperative shell around `planExports`: partition, consistency, problems reported once per
 * configuration version, then idempotent appends (event id = export id; batched only where no
 * earlier append can hold the same id), so a re-decision after a crash writes nothing new, and a
 * crash between two appends loses nothing.
 * Safe under keyed concurrency: the only state shared across profiles is counters and the
 * report-once memory.
 */
export function createProfileChangeDecider(options: ProfileChangeDeciderOptions): ProfileChangeDecider {
  const { store, logger } = options;
  const reported = new OncePerVersion();
  const counts = { decided: 0, exportsRequested: 0, skippedMissingDestination: 0, otherPartitions: 0, skippedInvalid: 0 };
  const appender = createExportAppender(store);
  const batchable = options.batchable ?? (() => false);

  const report = (config: DeciderConfig, problem: DecisionProblem, where: Readonly<Record<string, unknown>>) => {
    switch (problem.kind) {
      case 'missing-destination':
        counts.skippedMissingDestination++;
        if (reported.first(config.version, `destination:${problem.dataflowId}`)) {
          logger.warn('dataflow points to a missing destination, not exporting to it', {
            ...where,
            dataflowId: problem.dataflowId,
            destinationId: problem.destinationId,
            configVersion: config.version,
            skippedSoFar: counts.skippedMissingDestination,
          });
        }
        return;
      case 'undefined-audiences':
        if (reported.first(config.version, `audiences:${problem.dataflowId}`)) {
          logger.warn('mapped audiences have no AudienceDefined: exporting without their names and audience timestamps', {
            ...where,
            dataflowId: problem.dataflowId,
            audienceIds: problem.audienceIds,
            configVersion: config.version,
          });
        }
        return;
      default: {
        const unknown: never = problem;
        throw new Error(`unknown decision problem ${JSON.stringify(unknown)}`);
      }
    }
  };

  const append = async (planned: PlannedExport, inBatch: boolean, where: Readonly<Record<string, unknown>>) => {
    const { request } = planned;
    try {
      await appender.append(planned.stream, request, inBatch);
      counts.exportsRequested++;
      options.onExportRequested?.(request);
      logger.debug('export requested', { dataflowId: request.dataflowId, profileId: request.profileId, sequence: request.sequence, exportId: request.exportId });
    } catch (error) {
      // Bad input (a profile too large to export, a document the schema refuses) must not stop the decider.
      if (!(error instanceof AppendTooLargeError || error instanceof InvalidEventError)) throw error;
      counts.skippedInvalid++;
      logger.error('export request refused, skipped', { ...where, dataflowId: request.dataflowId, exportId: request.exportId, reason: error.message });
    }
  };

  return {
    counts: () => ({ ...counts, exportAppends: appender.counts().appends }),
    owns(message) {
      // By the stream's profile id, so every event of a stream goes to one instance whatever it holds.
      const profileId = profileIdOfStream(message.streamId);
      if (profileId === undefined || options.ownsProfile(profileId)) return true;
      counts.otherPartitions++;
      return false;
    },
    async decide(message, config) {
      const where = { stream: message.streamId, eventId: message.eventId, revision: message.revision };
      const changed = message.event.data;
      const inconsistency = inconsistencyOf(message.streamId, changed);
      if (inconsistency) {
        counts.skippedInvalid++;
        logger.warn('profile change skipped', { ...where, reason: inconsistency });
        return;
      }
      let plan: ExportPlan;
      try {
        plan = planExports(config, { changed, sequence: Number(message.revision), decidedAt: options.now().toISOString() });
      } catch (error) {
        // Input the schema let through but the rules cannot handle: report it rather than stop every profile.
        counts.skippedInvalid++;
        logger.error('profile change could not be decided, skipped', { ...where, error });
        return;
      }
      for (const problem of plan.problems) report(config, problem, where);
      // Independent appends, each idempotent: concurrent is as safe as one after the other.
      const inBatch = batchable(message);
      await Promise.all(plan.exports.map((planned) => append(planned, inBatch, where)));
      counts.decided++;
    },
  };
}
