import { identityNamespaceSchema, idSchema } from '@spillway/xdm';
import { z } from 'zod';
import type { CommandSpec } from '../cli/command-specs.ts';
import { parseAttributeMapping, type AttributeMapping } from './import-rows.ts';

const attributeMappings = z
  .array(z.string())
  .default([])
  .transform((texts, context): AttributeMapping[] => {
    const mappings: AttributeMapping[] = [];
    for (const text of texts) {
      const parsed = parseAttributeMapping(text);
      if (typeof parsed === 'string') context.addIssue({ code: 'custom', message: parsed });
      else mappings.push(parsed);
    }
    return mappings;
  });

const concurrency = z.coerce
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' })
  .max(1024, { error: 'must be at most 1024' });

/** `spillway audiences import <file.csv> ...` as the command table knows it. */
export const audiencesImportSpec: CommandSpec = {
  name: 'audiences import',
  usage:
    'spillway audiences import <file.csv> --id <audienceId> --name <name> [--merge-policy <id>] [--identity-column <column>] ' +
    '[--identity-namespace <namespace>] [--attribute <column>=<xdm.path>[:number|:boolean] ...] [--concurrency N]',
  summary: 'import a CSV file as a custom-upload audience (one row per profile; re-importing changes only what changed)',
  options: {
    id: { type: 'string' },
    name: { type: 'string' },
    'merge-policy': { type: 'string' },
    'identity-column': { type: 'string' },
    'identity-namespace': { type: 'string' },
    attribute: { type: 'string', multiple: true },
    concurrency: { type: 'string' },
  },
  positionals: ['file'],
  schema: z
    .object({
      file: z.string().min(1),
      id: idSchema,
      name: z.string().min(1).max(1024),
      'merge-policy': idSchema.default('default'),
      'identity-column': z.string().min(1).optional(),
      'identity-namespace': identityNamespaceSchema.optional(),
      attribute: attributeMappings,
      concurrency: concurrency.default(64),
    })
    .transform((v) => ({
      name: 'audiences import' as const,
      file: v.file,
      audienceId: v.id,
      audienceName: v.name,
      mergePolicyId: v['merge-policy'],
      identityColumn: v['identity-column'],
      identityNamespace: v['identity-namespace'],
      attributes: v.attribute,
      concurrency: v.concurrency,
    })),
};
