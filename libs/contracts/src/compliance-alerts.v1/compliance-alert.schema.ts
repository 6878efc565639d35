import { z } from 'zod';
import { SEVERITIES } from '../common/severity.constants';
import { nonNegativeInt32, optional, text, timestamp } from '../validation/fields.schema';
import { rfc3339ToEpochNanos } from '../validation/rfc3339';
import { ALERT_TYPES, type ComplianceAlert } from './compliance-alert.type';

const evidence = z.object({
  orderIds: z.array(text()),
  tradeIds: z.array(text()),
  metrics: z.record(z.string(), z.number()),
});

/** compliance.alerts.v1 alert. Timestamps accept `Z` or an offset (CONTRACTS.md says RFC 3339). */
export const complianceAlertSchema: z.ZodType<ComplianceAlert> = z
  .object({
    alertId: text(),
    fingerprint: text(),
    type: z.enum(ALERT_TYPES),
    severity: z.enum(SEVERITIES),
    ts: timestamp(),
    windowStart: timestamp(),
    windowEnd: timestamp(),
    venue: text(),
    instrument: text(),
    accountId: text(),
    traderId: optional(text()),
    beneficialOwnerId: optional(text()),
    ruleId: text(),
    ruleVersion: nonNegativeInt32(),
    score: z.number(),
    threshold: z.number(),
    summary: text(),
    evidence,
  })
  .superRefine((alert, ctx) => {
    if (rfc3339ToEpochNanos(alert.windowEnd) < rfc3339ToEpochNanos(alert.windowStart)) {
      ctx.addIssue({ code: 'custom', path: ['windowEnd'], message: 'must not be before windowStart' });
    }
  });
