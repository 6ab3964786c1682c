/**
 * CPU per unit of work (a change, a profile) in receiver-requests: divided by the receiver's CPU
 * per request in the same phase. The bench's receiver does the same minimal work per request in
 * every run, so this unit compares runs taken while the machine was faster or slower, which CPU
 * milliseconds do not (its speed drifts by a quarter within minutes). Undefined without a
 * receiver request or a unit of work to divide by.
 */
export function inReceiverRequests(
  cpuSeconds: number,
  units: number,
  receiver: { readonly cpuSeconds: number; readonly requests: number },
): number | undefined {
  if (units <= 0 || receiver.requests <= 0 || receiver.cpuSeconds <= 0) return undefined;
  return cpuSeconds / units / (receiver.cpuSeconds / receiver.requests);
}

/** The column's text: two decimals, or n/a. */
export const formatReceiverRequests = (value: number | undefined): string => (value === undefined ? 'n/a' : value.toFixed(2));
