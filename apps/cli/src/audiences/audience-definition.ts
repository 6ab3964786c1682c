import type { AudienceDefinition } from '@spillway/xdm';
import type { DesiredAudience } from '../config-file/desired-config.ts';

export type DefinitionChange = 'created' | 'updated' | 'unchanged';

/**
 * The AudienceDefined data to write for `desired`, given the current definition: createdAt is
 * kept from it, updatedAt is now. Unchanged when name, merge policy and origin are the same
 * (no event then, so re-applying never moves updatedAt).
 */
export function nextAudienceDefinition(
  previous: AudienceDefinition | undefined,
  desired: DesiredAudience,
  nowMs: number,
): { readonly change: DefinitionChange; readonly definition: AudienceDefinition } {
  if (previous === undefined) return { change: 'created', definition: { ...desired, createdAt: nowMs, updatedAt: nowMs } };
  const same = previous.name === desired.name && previous.mergePolicyId === desired.mergePolicyId && previous.origin === desired.origin;
  if (same) return { change: 'unchanged', definition: previous };
  // A clock behind the earlier writer's must not make updatedAt go back, nor precede createdAt.
  const updatedAt = Math.max(nowMs, previous.updatedAt, previous.createdAt);
  return { change: 'updated', definition: { ...desired, createdAt: previous.createdAt, updatedAt } };
}
