import { describe, expect, it } from 'vitest';
import { audienceStreamName, categoryStreamName, dataflowStreamName, destinationStreamName, ingestStreamName, parseStreamName } from './stream-names.ts';

describe('stream names', () => {
  it('names each public stream after its id', () => {
    expect(ingestStreamName('p1')).toBe('ingest-p1');
    expect(audienceStreamName('5b998cb9-9488-4ec3-8d95-fa8338ced490')).toBe('audience-5b998cb9-9488-4ec3-8d95-fa8338ced490');
    expect(destinationStreamName('d1')).toBe('destination-d1');
    expect(dataflowStreamName('f1')).toBe('dataflow-f1');
    expect(categoryStreamName('ingest')).toBe('$ce-ingest');
  });

  it('parses a name back, keeping dashes inside the id', () => {
    expect(parseStreamName('audience-5b998cb9-9488-4ec3')).toEqual({ category: 'audience', id: '5b998cb9-9488-4ec3' });
    expect(parseStreamName('ingest-john@acme.com')).toEqual({ category: 'ingest', id: 'john@acme.com' });
  });

  it.each(['ingest-', 'ingest', '-p1', 'profiles-p1', '$ce-ingest'])('does not parse %s', (name) => {
    expect(parseStreamName(name)).toBeUndefined();
  });
});
