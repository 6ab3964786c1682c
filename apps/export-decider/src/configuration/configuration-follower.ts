import type { Position } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
import type { BackfillHook } from '../backfill/backfill-hook.ts';
import { emptyDeciderConfig, type DeciderConfig } from './decider-config.ts';
import { evolveConfig, type ConfigEvent } from './evolve-config.ts';

/** A configuration event as read from the store. */
export interface ConfigMessage {
  readonly event: ConfigEvent;
  readonly streamId: string;
  readonly eventId: string;
  readonly revision: bigint;
  readonly recordedAt: Date;
  /** Its place in $all (where a backfill it asks for scans up to). */
  readonly position?: Position | undefined;
}

export interface ConfigurationFollower {
  /** The snapshot decisions use now. */
  current(): DeciderConfig;
  /**
   * Applies one configuration event. `replaying` is for events handled before the checkpoint
   * (loaded at start): their backfill was already requested then (the hook is told so).
   * Returns the backfill hook's promise when the event asked for a backfill.
   */
  apply(message: ConfigMessage, options?: { readonly replaying?: boolean }): Promise<void> | void;
  counts(): { readonly applied: number; readonly refused: number };
}

/** The imperative shell around `evolveConfig`: holds the current snapshot, reports refusals and backfill requests. */
export function followConfiguration(logger: Logger, onBackfillRequested: BackfillHook, initial = emptyDeciderConfig()): ConfigurationFollower {
  let config = initial;
  let applied = 0;
  let refused = 0;
  return {
    current: () => config,
    counts: () => ({ applied, refused }),
    apply(message, options = {}) {
      const evolution = evolveConfig(config, message.event, { streamId: message.streamId, recordedAtMs: message.recordedAt.getTime() });
      const where = { stream: message.streamId, eventId: message.eventId, revision: message.revision, eventType: message.event.type };
      if (!evolution.applied) {
        refused++;
        logger.warn('configuration event skipped', { ...where, reason: evolution.reason });
        return;
      }
      applied++;
      config = evolution.config;
      if (!options.replaying) logger.debug('configuration applied', { ...where, configVersion: config.version });
      if (evolution.backfill) {
        return onBackfillRequested({
          ...evolution.backfill,
          stream: message.streamId,
          eventId: message.eventId,
          position: message.position,
          replaying: options.replaying === true,
        });
      }
    },
  };
}
