/**
 * Why `JSON.parse` refused a text, without the excerpt of it V8 quotes (`..."{"token": sk_li"...`):
 * the text may hold a secret or personal data, and the reason goes to logs and error streams.
 */
export function jsonSyntaxReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] ?? message;
  return firstLine.split(/, (?:\.\.\.)?"/)[0] ?? firstLine;
}
