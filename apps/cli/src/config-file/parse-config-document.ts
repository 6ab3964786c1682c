import {
  audienceDefinitionSchema,
  dataflowConfiguredSchema,
  destinationConfiguredSchema,
  type DataflowConfig,
  type DestinationConfig,
} from '@spillway/xdm';
import { alertSubscriptionSchema, type AlertSubscription } from '@spillway/alert-rules';
import type { z } from 'zod';
import { alertItemSchema, toAlertSubscription, type AlertItem } from './alerts-section.ts';
import {
  audienceItemSchema,
  configOutlineSchema,
  dataflowItemSchema,
  destinationItemSchema,
  hasNoSection,
  type AudienceItem,
  type DataflowItem,
  type DestinationItem,
  type Section,
} from './config-file-schema.ts';
import { configIssues, type ConfigIssue } from './config-issues.ts';
import { fileFieldPath, toAudience, toDataflow, toDestination, type DesiredAudience, type DesiredConfig } from './desired-config.ts';

export type ParsedConfig = { readonly ok: true; readonly config: DesiredConfig } | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/**
 * Validates a whole config document (the value YAML or JSON parsing gave) and converts it to
 * the data of the public configuration events, each validated again with the event's own
 * schema: a file accepted here writes only events every consumer accepts. Every item is
 * checked, so all the file's problems are reported at once.
 */
export function parseConfigDocument(document: unknown): ParsedConfig {
  if (document === null || document === undefined) return fail('the file is empty; expected destinations:, dataflows: and/or audiences: lists');
  if (hasNoSection(document)) return fail('has none of destinations:, dataflows: or audiences:');
  const outline = configOutlineSchema.safeParse(document);
  if (!outline.success) return { ok: false, issues: configIssues(outline.error, document) };
  const { destinations: destinationItems, dataflows: dataflowItems, audiences: audienceItems, alerts: alertItems } = outline.data;
  const issues: ConfigIssue[] = [];
  const destinations = checkSection(destinationRules, destinationItems, document, issues);
  const dataflows = checkSection(dataflowRules, dataflowItems, document, issues);
  const audiences = checkSection(audienceRules, audienceItems, document, issues);
  const alerts = checkSection(alertRules, alertItems, document, issues);
  issues.push(...duplicateIds('destinations', destinationItems), ...duplicateIds('dataflows', dataflowItems), ...duplicateIds('audiences', audienceItems));
  issues.push(...duplicateIds('alerts', alertItems, 'dataflow'));
  return issues.length === 0 ? { ok: true, config: { destinations, dataflows, audiences, alerts } } : { ok: false, issues };
}

/** How the items of one section are checked, converted, and checked again as event data. */
interface SectionRules<Item, Data> {
  readonly section: Section;
  readonly itemSchema: z.ZodType<Item>;
  readonly toData: (item: Item) => Data;
  readonly eventSchema: z.ZodType;
  readonly asEventData: (data: Data) => unknown;
}

const destinationRules: SectionRules<DestinationItem, DestinationConfig> = {
  section: 'destinations',
  itemSchema: destinationItemSchema,
  toData: toDestination,
  eventSchema: destinationConfiguredSchema,
  asEventData: (data) => data,
};

const dataflowRules: SectionRules<DataflowItem, DataflowConfig> = {
  section: 'dataflows',
  itemSchema: dataflowItemSchema,
  toData: toDataflow,
  eventSchema: dataflowConfiguredSchema,
  asEventData: (data) => data,
};

const alertRules: SectionRules<AlertItem, AlertSubscription> = {
  section: 'alerts',
  itemSchema: alertItemSchema,
  toData: toAlertSubscription,
  eventSchema: alertSubscriptionSchema,
  asEventData: (data) => data,
};

const audienceRules: SectionRules<AudienceItem, DesiredAudience> = {
  section: 'audiences',
  itemSchema: audienceItemSchema,
  toData: toAudience,
  eventSchema: audienceDefinitionSchema,
  // Timestamps are set when the audience is applied; any valid ones stand in here.
  asEventData: (data) => ({ ...data, createdAt: 0, updatedAt: 0 }),
};

/** The data of every valid item; the problems of the others go to `issues`. */
function checkSection<Item, Data>(rules: SectionRules<Item, Data>, items: readonly unknown[], document: unknown, issues: ConfigIssue[]): Data[] {
  return items.flatMap((item, index) => {
    const parsed = rules.itemSchema.safeParse(item);
    if (!parsed.success) {
      issues.push(...configIssues(parsed.error, document, [rules.section, index]));
      return [];
    }
    const data = rules.toData(parsed.data);
    const event = rules.eventSchema.safeParse(rules.asEventData(data));
    if (!event.success) {
      issues.push(...event.error.issues.map((issue) => ({ path: fileFieldPath(rules.section, index, issue.path), message: issue.message })));
    }
    return [data];
  });
}

/** The second and later items using an id already used in the same section. */
function duplicateIds(section: Section, items: readonly unknown[], idField = 'id'): ConfigIssue[] {
  const firstIndex = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  items.forEach((item, index) => {
    const id = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[idField] : undefined;
    if (typeof id !== 'string') return;
    const earlier = firstIndex.get(id);
    if (earlier === undefined) firstIndex.set(id, index);
    else issues.push({ path: [section, index, idField], message: `'${id}' is already used by ${section}[${earlier}]` });
  });
  return issues;
}

function fail(message: string): ParsedConfig {
  return { ok: false, issues: [{ path: [], message }] };
}
