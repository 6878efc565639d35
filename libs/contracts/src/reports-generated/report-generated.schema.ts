import { z } from 'zod';
import { patterned, text, timestamp } from '../validation/fields.schema';
import { rfc3339ToEpochNanos } from '../validation/rfc3339';
import { REPORT_TYPES, type ReportGenerated } from './report-generated.type';

/** reports.generated event (Vigil-internal). */
export const reportGeneratedSchema: z.ZodType<ReportGenerated> = z
  .object({
    reportId: text(),
    type: z.enum(REPORT_TYPES),
    periodStart: timestamp(),
    periodEnd: timestamp(),
    generatedAt: timestamp(),
    format: patterned(/^[a-z0-9][a-z0-9.+-]{0,31}$/, 'a lowercase format token such as csv, json, xml or pdf'),
    location: text(),
    sha256: patterned(/^[0-9a-f]{64}$/, 'a SHA-256 digest as 64 lowercase hex digits'),
  })
  .superRefine((report, ctx) => {
    if (rfc3339ToEpochNanos(report.periodEnd) < rfc3339ToEpochNanos(report.periodStart)) {
      ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: 'must not be before periodStart' });
    }
  });
