import type { ExportAttemptFailed, ExportDeadLettered, ExportDelivered, ExportFailed, ExportSuperseded } from './internal-streams.ts';

/** What the delivery agent records per export in `deliveries-<id>` and `deadletters-<id>` (replay marks aside). */
export type DeliveryRecord =
  | { readonly type: 'ExportDelivered'; readonly data: ExportDelivered }
  | { readonly type: 'ExportFailed'; readonly data: ExportFailed }
  | { readonly type: 'ExportSuperseded'; readonly data: ExportSuperseded }
  | { readonly type: 'ExportAttemptFailed'; readonly data: ExportAttemptFailed }
  | { readonly type: 'ExportDeadLettered'; readonly data: ExportDeadLettered };

/** When the record's event happened, by its own clock field (epoch ms). */
export function deliveryRecordTimeMs(record: DeliveryRecord): number {
  switch (record.type) {
    case 'ExportDelivered':
      return Date.parse(record.data.deliveredAt);
    case 'ExportFailed':
      return Date.parse(record.data.failedAt);
    case 'ExportSuperseded':
      return Date.parse(record.data.supersededAt);
    case 'ExportAttemptFailed':
      return Date.parse(record.data.startedAt);
    case 'ExportDeadLettered':
      return Date.parse(record.data.deadLetteredAt);
  }
}
