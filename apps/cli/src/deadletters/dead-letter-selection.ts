import { deadLetterStatusSchema, instantFilterSchema, type DeadLetterFilters } from '@spillway/dataflow-status';
import { idSchema } from '@spillway/xdm';

/** The options shared by `deadletters list` and `deadletters replay`. */
export const filterOptions = {
  dataflow: { type: 'string' },
  profile: { type: 'string' },
  status: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
} as const;

export const filterFields = {
  dataflow: idSchema.optional(),
  profile: idSchema.optional(),
  status: deadLetterStatusSchema.optional(),
  since: instantFilterSchema.optional(),
  until: instantFilterSchema.optional(),
};

export function filtersOf(values: { dataflow?: string; profile?: string; status?: string; since?: number; until?: number }): DeadLetterFilters {
  return {
    ...(values.dataflow === undefined ? {} : { dataflowId: values.dataflow }),
    ...(values.profile === undefined ? {} : { profileId: values.profile }),
    ...(values.status === undefined ? {} : { status: values.status }),
    ...(values.since === undefined ? {} : { sinceMs: values.since }),
    ...(values.until === undefined ? {} : { untilMs: values.until }),
  };
}
