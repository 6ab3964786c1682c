export * from './subscription.ts';
export * from './alerting-streams.ts';
export * from './alert-state.ts';
export * from './observe.ts';
export * from './evaluate.ts';
export * from './webhook-body.ts';
export { percentile95 } from './rules/delivery-delay.ts';
