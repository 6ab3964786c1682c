import { isPlainObject, ownValue, type JsonObject, type JsonValue } from './json.ts';
import { PathTrie, type PathTrieNode } from './path-trie.ts';
import type { XdmPath } from './xdm-path.ts';

/** A compiled set of paths to select; compile once per mapping, select many times. */
export type PathSelection = PathTrie<true>;

export function compileSelection(paths: Iterable<XdmPath>): PathSelection {
  const selection = new PathTrie<true>();
  for (const path of paths) selection.add(path, true);
  return selection;
}

/**
 * The parts of `object` at the selected paths, in XDM nesting; absent paths are omitted and a
 * selected path inside another selected path adds nothing. Selected values are shared with
 * `object`, not copied.
 */
export function selectPaths(object: JsonObject, paths: PathSelection | Iterable<XdmPath>): JsonObject {
  const selection = paths instanceof PathTrie ? paths : compileSelection(paths);
  return selectNode(object, selection.root) ?? {};
}

function selectNode(object: JsonObject, node: PathTrieNode): JsonObject | undefined {
  let selected: Record<string, JsonValue> | undefined;
  for (const [key, child] of node.children) {
    const value = ownValue(object, key);
    if (value === undefined) continue;
    let picked: JsonValue | undefined;
    if (child.here.size > 0) picked = value;
    else if (isPlainObject(value)) picked = selectNode(value, child);
    if (picked === undefined) continue;
    selected ??= {};
    selected[key] = picked;
  }
  return selected;
}
