/**
 * Remembers which problems were already reported for a configuration version, so a dataflow
 * pointing to a missing destination is logged once, not once per profile. A newer version (the
 * configuration changed) forgets the older ones: a problem still there is reported again.
 */
export class OncePerVersion {
  #newest = -1;
  readonly #seen = new Set<string>();

  /** True the first time `key` is seen under `version`. */
  first(version: number, key: string): boolean {
    if (version > this.#newest) {
      this.#newest = version;
      this.#seen.clear();
    }
    // Changes decided against a slightly older version can still be in flight around a change.
    const versioned = `${version}\u0000${key}`;
    if (this.#seen.has(versioned)) return false;
    this.#seen.add(versioned);
    return true;
  }
}
