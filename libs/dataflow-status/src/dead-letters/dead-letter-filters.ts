import type { ExportDeadLettered } from '@spillway/pipeline-events';
import { z } from 'zod';

/** Which dead letters a list or a replay is about; every filter given must match. */
export interface DeadLetterFilters {
  readonly dataflowId?: string;
  readonly profileId?: string;
  /** An HTTP status (`503`), a class (`5xx`), or a network error code (`ECONNREFUSED`). */
  readonly status?: string;
  /** Dead-lettered at or after (epoch ms). */
  readonly sinceMs?: number;
  /** Dead-lettered before (epoch ms). */
  readonly untilMs?: number;
}

/** The status filter as a user writes it (CLI option, API query parameter). */
export const deadLetterStatusSchema = z
  .string()
  .regex(/^([1-5]\d\d|[1-5]xx|[A-Z][A-Z0-9_]+)$/, { error: 'must be an HTTP status (503), a class (5xx) or an error code (ECONNREFUSED)' });

/** A time filter as a user writes it, as epoch ms. */
export const instantFilterSchema = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), { error: 'must be a date or an ISO 8601 time (2026-01-31T12:00:00Z)' })
  .transform((value) => Date.parse(value));

export function matchesFilters(deadLetter: ExportDeadLettered, filters: DeadLetterFilters): boolean {
  if (filters.dataflowId !== undefined && deadLetter.dataflowId !== filters.dataflowId) return false;
  if (filters.profileId !== undefined && deadLetter.profileId !== filters.profileId) return false;
  if (filters.status !== undefined && !matchesStatus(deadLetter, filters.status)) return false;
  const at = Date.parse(deadLetter.deadLetteredAt);
  if (filters.sinceMs !== undefined && at < filters.sinceMs) return false;
  if (filters.untilMs !== undefined && at >= filters.untilMs) return false;
  return true;
}

function matchesStatus(deadLetter: ExportDeadLettered, status: string): boolean {
  if (/^\d{3}$/.test(status)) return deadLetter.status === Number(status);
  if (/^\dxx$/.test(status)) return deadLetter.status !== undefined && Math.floor(deadLetter.status / 100) === Number(status[0]);
  return deadLetter.errorCode === status;
}
