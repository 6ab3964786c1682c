/** Stream categories of the public contract (streams.md): `<category>-<id>`. */
export const streamCategories = ['ingest', 'audience', 'destination', 'dataflow'] as const;
export type StreamCategory = (typeof streamCategories)[number];

export interface ParsedStreamName {
  readonly category: StreamCategory;
  readonly id: string;
}

export const ingestStreamName = (profileId: string): string => `ingest-${profileId}`;
export const audienceStreamName = (audienceId: string): string => `audience-${audienceId}`;
export const destinationStreamName = (destinationId: string): string => `destination-${destinationId}`;
export const dataflowStreamName = (dataflowId: string): string => `dataflow-${dataflowId}`;

export function streamName(category: StreamCategory, id: string): string {
  return `${category}-${id}`;
}

/** EventStoreDB's by-category system projection stream, e.g. `$ce-ingest`. */
export function categoryStreamName(category: StreamCategory): string {
  return `$ce-${category}`;
}

/**
 * The category and id of a public stream name, or undefined for any other stream. The id is
 * everything after the first `-`, so ids may themselves contain dashes (UUIDs do).
 */
export function parseStreamName(name: string): ParsedStreamName | undefined {
  const dash = name.indexOf('-');
  if (dash <= 0 || dash === name.length - 1) return undefined;
  const category = name.slice(0, dash);
  if (!(streamCategories as readonly string[]).includes(category)) return undefined;
  return { category: category as StreamCategory, id: name.slice(dash + 1) };
}
