import { isSecretReference } from '@spillway/xdm';
import { z } from 'zod';

/**
 * Why a secret field's text is not a reference, or undefined when it is one. The text itself is
 * never repeated: when it is not a reference it is most likely the secret, pasted.
 */
export function secretReferenceProblem(text: string): string | undefined {
  if (isSecretReference(text)) return undefined;
  if (text.startsWith('env:')) return 'env: must be followed by an environment variable name (letters, digits, _), e.g. env:EXPORT_TOKEN';
  if (text.startsWith('file:')) return 'file: must be followed by an absolute path, e.g. file:/run/secrets/export-token';
  return (
    'looks like a literal secret, and secrets are never written to the configuration streams: ' +
    'put it in an environment variable of the delivery agent and write env:NAME, or in a file it can read and write file:/absolute/path'
  );
}

/** A bearer token, client secret or password: only as `env:NAME` or `file:/absolute/path`. */
export const secretField = z
  .string({ error: 'must be a secret reference: env:NAME or file:/absolute/path' })
  .superRefine((text, context) => {
    const problem = secretReferenceProblem(text);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });
