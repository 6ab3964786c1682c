/** Counts what a consumer has seen, per event type: the placeholder for the real projection. */
export interface SeenEvents {
  record(eventType: string): void;
  summary(): Readonly<Record<string, number>>;
}

export function countSeenEvents(): SeenEvents {
  const counts = new Map<string, number>();
  return {
    record: (eventType) => void counts.set(eventType, (counts.get(eventType) ?? 0) + 1),
    summary: () => Object.fromEntries(counts),
  };
}
