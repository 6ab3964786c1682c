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
}

export interface ConfigurationFollower {
  /** The snapshot decisions use now. */
  current(): DeciderConfig;
  /**
   * Applies one configuration event. `replaying` is for events handled before the checkpoint
   * (loaded at start): their backfill was already requested then.
   */
  apply(message: ConfigMessage, options?: { readonly replaying?: boolean }): void;
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
      if (evolution.backfill && !options.replaying) onBackfillRequested({ ...evolution.backfill, stream: message.streamId, eventId: message.eventId });
    },
  };
}
