import { describe, expect, it } from 'vitest';
import { InvalidBenchOptionsError, parseBenchOptions } from './options.ts';

const parse = (argv: string[]) => parseBenchOptions(argv, '/out', ['store', 'pipeline']);

describe('bench options', () => {
  it('runs every suite with 5 s phases by default', () => {
    expect(parse([])).toEqual({ only: [], quick: false, phaseDurationMs: 5_000, outDir: '/out', help: false });
  });

  it('--quick shortens phases to 1 s unless --duration says otherwise', () => {
    expect(parse(['--quick']).phaseDurationMs).toBe(1_000);
    expect(parse(['--quick', '--duration', '2.5']).phaseDurationMs).toBe(2_500);
  });

  it('--only takes repeated flags and comma lists', () => {
    expect(parse(['--only', 'store', '--only', 'pipeline']).only).toEqual(['store', 'pipeline']);
    expect(parse(['--only', 'store,pipeline']).only).toEqual(['store', 'pipeline']);
  });

  it('--profiles takes a positive count, with _ or , as digit separators', () => {
    expect(parse([]).profiles).toBeUndefined();
    expect(parse(['--profiles', '1_000_000']).profiles).toBe(1_000_000);
    expect(parse(['--profiles', '20,000']).profiles).toBe(20_000);
    expect(() => parse(['--profiles', 'many'])).toThrow(InvalidBenchOptionsError);
    expect(() => parse(['--profiles', '0'])).toThrow(InvalidBenchOptionsError);
  });

  it('rejects unknown suites, unknown flags and durations that are not positive numbers', () => {
    expect(() => parse(['--only', 'stor'])).toThrow(/unknown suite stor \(known: store, pipeline\)/);
    expect(() => parse(['--fast'])).toThrow(InvalidBenchOptionsError);
    expect(() => parse(['--duration', 'soon'])).toThrow(InvalidBenchOptionsError);
    expect(() => parse(['--duration', '0'])).toThrow(InvalidBenchOptionsError);
  });
});
