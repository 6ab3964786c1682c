import type { ExportRequested } from '@spillway/pipeline-events';
import { describe, expect, it } from 'vitest';
import { agentStreamPrefixes, classifyInput, inputKey, type AgentInputMessage } from './agent-input-events.ts';

const exportData: ExportRequested = {
  exportId: '7d444840-9dc0-11d1-b245-5ffdce74fad2',
  sequence: 1,
  dataflowId: 'df-1',
  destinationId: 'dest-1',
  profileId: 'p-1',
  triggers: ['membership'],
  lane: 'live',
  document: {},
  ingestedAt: '2026-01-01T00:00:00Z',
  decidedAt: '2026-01-01T00:00:00Z',
};

const message = (streamId: string, event: AgentInputMessage['event']): AgentInputMessage =>
  ({ kind: 'event', streamId, eventId: 'e-1', revision: 0n, event }) as unknown as AgentInputMessage;

describe('agent input', () => {
  it('sorts destinations and export requests from their own streams', () => {
    const configured = message('destination-dest-1', { type: 'DestinationDeleted', data: { destinationId: 'dest-1' } });
    expect(classifyInput(configured)).toEqual({ kind: 'destination', message: { streamId: 'destination-dest-1', eventId: 'e-1', event: configured.event } });
    expect(classifyInput(message('exports-df-1', { type: 'ExportRequested', data: exportData }))).toEqual({ kind: 'export', run: { request: exportData } });
  });

  it('takes a replay as a run of the same export under its replay id', () => {
    const replayId = '0f3b7d8e-5c1a-4f2b-9e6d-7a8b9c0d1e2f';
    const replay = message('exports-df-1', { type: 'ExportReplayRequested', data: { ...exportData, replayId, replayRequestedAt: '2026-01-02T00:00:00Z' } });
    expect(classifyInput(replay)).toEqual({ kind: 'export', run: { request: exportData, replayId } });
  });

  it('refuses an event written to a stream it does not belong to', () => {
    expect(classifyInput(message('exports-df-2', { type: 'ExportRequested', data: exportData }))).toEqual({
      kind: 'misplaced',
      reason: "an export request of dataflow 'df-1' belongs in exports-df-1",
    });
    expect(classifyInput(message('exports-df-1', { type: 'DestinationDeleted', data: { destinationId: 'dest-1' } }))).toMatchObject({ kind: 'misplaced' });
  });

  it('keys each export by its event (the handler orders them per profile), and destinations by their stream', () => {
    expect(inputKey(message('exports-df-1', { type: 'ExportRequested', data: exportData }))).toBe('export:e-1');
    expect(inputKey(message('destination-dest-1', { type: 'DestinationDeleted', data: { destinationId: 'dest-1' } }))).toBe('destination:destination-dest-1');
  });

  it('narrows every stream it reads or writes to an id prefix', () => {
    expect(agentStreamPrefixes()).toEqual({ destinations: 'destination-', exports: 'exports-', deliveries: 'deliveries-', deadletters: 'deadletters-' });
    expect(agentStreamPrefixes('acme-')).toEqual({ destinations: 'destination-acme-', exports: 'exports-acme-', deliveries: 'deliveries-acme-', deadletters: 'deadletters-acme-' });
  });
});
