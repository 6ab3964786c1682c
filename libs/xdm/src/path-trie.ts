import { splitPath, type XdmPath } from './xdm-path.ts';

interface TrieNode<T> {
  readonly children: Map<string, TrieNode<T>>;
  /** Values whose path ends exactly here. */
  readonly here: Set<T>;
  /** Values whose path ends here or anywhere below. */
  readonly within: Set<T>;
}

function newNode<T>(): TrieNode<T> {
  return { children: new Map(), here: new Set(), within: new Set() };
}

/**
 * Paths (each carrying values) organised by segment, so that "which mapped paths does a write
 * to X touch" costs the length of X, not the number of mapped paths.
 */
export class PathTrie<T> {
  readonly #root: TrieNode<T> = newNode();

  add(path: XdmPath, value: T): this {
    let node = this.#root;
    node.within.add(value);
    for (const segment of splitPath(path)) {
      let child = node.children.get(segment);
      if (!child) {
        child = newNode();
        node.children.set(segment, child);
      }
      child.within.add(value);
      node = child;
    }
    node.here.add(value);
    return this;
  }

  /**
   * The values of every stored path that a write to `path` touches: stored paths equal to it,
   * around it (ancestors: a write to `a.b.c` touches `a.b`) or inside it (a write to `a.b`
   * touches `a.b.c`).
   */
  touching(path: XdmPath): Set<T> {
    const found = new Set<T>();
    let node: TrieNode<T> | undefined = this.#root;
    for (const segment of path.split('.')) {
      node = node.children.get(segment);
      if (!node) return found;
      for (const value of node.here) found.add(value);
    }
    for (const value of node.within) found.add(value);
    return found;
  }

  /** True when a write to `path` touches any stored path. */
  touches(path: XdmPath): boolean {
    let node: TrieNode<T> | undefined = this.#root;
    for (const segment of path.split('.')) {
      node = node.children.get(segment);
      if (!node) return false;
      if (node.here.size > 0) return true;
    }
    return node.within.size > 0;
  }

  /** @internal The tree, for walkers such as selectPaths. */
  get root(): PathTrieNode {
    return this.#root;
  }
}

/** Read-only view of a node, enough to walk a document along the stored paths. */
export interface PathTrieNode {
  readonly children: ReadonlyMap<string, PathTrieNode>;
  readonly here: ReadonlySet<unknown>;
}
