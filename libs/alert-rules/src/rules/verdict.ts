/** What one rule says about the dataflow now. */
export type RuleVerdict =
  /** The condition holds: raise (unless already raised). `key` names the occurrence when the rule can tell it apart from others. */
  | { readonly kind: 'over'; readonly observed: number; readonly threshold: number; readonly summary: string; readonly key?: string }
  /** The condition is gone: resolve (if raised). */
  | { readonly kind: 'clear'; readonly summary: string }
  /** Too little to tell either way: leave the alert as it is. */
  | { readonly kind: 'hold' };

export const hold: RuleVerdict = { kind: 'hold' };

export const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;
