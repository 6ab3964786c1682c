/** A position in the store's global log ($all). Commit first, then prepare. */
export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function formatPosition(position: Position | undefined): string | undefined {
  return position ? `${position.commit}/${position.prepare}` : undefined;
}
