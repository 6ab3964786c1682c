/** Whether a delivery ended because it was abandoned (an abort, or an error caused by one). */
export function isAbort(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return isAbortError(error) || isAbortError(cause);
}

function isAbortError(error: unknown): boolean {
  return (error instanceof Error || error instanceof DOMException) && error.name === 'AbortError';
}
