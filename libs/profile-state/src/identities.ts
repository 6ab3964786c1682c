import type { IdentityMap } from '@spillway/xdm';
import type { IdentityRef } from './profile-state.ts';

export interface IdentityUpdate {
  /** The map after the update; the same object when nothing changed. */
  readonly identityMap: IdentityMap;
  readonly changed: IdentityRef[];
}

function listIn(map: IdentityMap, namespace: string) {
  return Object.hasOwn(map, namespace) ? map[namespace] : undefined;
}

/** Adds identities not already present (ids compare exactly); existing order is kept. */
export function linkIdentities(map: IdentityMap, identities: IdentityMap): IdentityUpdate {
  let result: IdentityMap | undefined;
  const changed: IdentityRef[] = [];
  for (const namespace of Object.keys(identities)) {
    const existing = listIn(map, namespace) ?? [];
    const seen = new Set(existing.map((identity) => identity.id));
    let list: IdentityMap[string] | undefined;
    for (const { id } of identities[namespace]!) {
      if (seen.has(id)) continue;
      seen.add(id);
      (list ??= [...existing]).push({ id });
      changed.push({ namespace, id });
    }
    if (list) (result ??= { ...map })[namespace] = list;
  }
  return { identityMap: result ?? map, changed };
}

/** Removes the listed identities that are present; a namespace left empty is dropped. */
export function unlinkIdentities(map: IdentityMap, identities: IdentityMap): IdentityUpdate {
  let result: IdentityMap | undefined;
  const changed: IdentityRef[] = [];
  for (const namespace of Object.keys(identities)) {
    const existing = listIn(map, namespace);
    if (!existing) continue;
    const toRemove = new Set(identities[namespace]!.map((identity) => identity.id));
    const kept = existing.filter((identity) => !toRemove.has(identity.id));
    if (kept.length === existing.length) continue;
    for (const identity of existing) if (toRemove.has(identity.id)) changed.push({ namespace, id: identity.id });
    result ??= { ...map };
    if (kept.length === 0) delete result[namespace];
    else result[namespace] = kept;
  }
  return { identityMap: result ?? map, changed };
}
