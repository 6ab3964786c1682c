import { createLogger } from '@spillway/runtime';
import { describe, expect, it } from 'vitest';
import { createOutageReporter } from './store-outage.ts';

function given() {
  const lines: Record<string, unknown>[] = [];
  let clock = 0;
  const logger = createLogger({ service: 'test', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const outage = createOutageReporter(logger, { quietMs: 5_000, now: () => clock });
  return { lines, outage, at: (ms: number) => void (clock = ms) };
}

const unavailable = new Error('14 UNAVAILABLE: No connection established');

describe('store outage reporter', () => {
  it('given 200 operations failing within seconds, when they are reported, then one warn line says it, and the next one counts the rest', () => {
    const { lines, outage, at } = given();
    for (let operation = 0; operation < 200; operation++) {
      at(operation * 20);
      outage.failed(`handling e-${operation}`, unavailable, 1, 100);
    }
    at(6_000);
    outage.failed('handling e-200', unavailable, 2, 200);
    expect(lines.map((line) => [line['level'], line['message'], line['otherFailuresSinceLastLine']])).toEqual([
      ['warn', 'store unavailable while handling e-0, retrying', undefined],
      ['warn', 'store unavailable while handling e-200, retrying', 199],
    ]);
  });

  it('given an outage, when an operation succeeds, then it says once that the store answers again and for how long it did not', () => {
    const { lines, outage, at } = given();
    at(1_000);
    outage.failed('handling e-1', unavailable, 1, 100);
    at(4_500);
    outage.succeeded('handling e-1');
    outage.succeeded('handling e-2');
    expect(lines.at(-1)).toMatchObject({ level: 'info', message: 'store available again', unavailableForMs: 3_500 });
    expect(lines).toHaveLength(2);

    at(5_000);
    outage.failed('handling e-3', unavailable, 1, 100);
    expect(lines.at(-1)).toMatchObject({ level: 'warn', message: 'store unavailable while handling e-3, retrying' });
  });

  it('says nothing while the store answers', () => {
    const { lines, outage } = given();
    outage.succeeded('handling e-1');
    expect(lines).toEqual([]);
  });
});
