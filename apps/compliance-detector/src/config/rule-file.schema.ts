import { ALERT_TYPES, SEVERITIES } from '@vigil/contracts';
import { z } from 'zod';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const ruleId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and dashes (at most 64)');
// Parameters are checked by each rule's own schema once the rule's type is known.
const parameters = z.record(z.string(), z.unknown());

export const ruleEntrySchema = z.object({
  id: ruleId,
  version: z.number().int().min(1),
  type: z.enum(ALERT_TYPES),
  severity: z.enum(SEVERITIES),
  enabled: z.boolean().default(true),
  parameters: parameters.default({}),
});

export const ruleOverrideSchema = z
  .object({
    venue: z.string().min(1).optional(),
    instrumentClass: z.string().min(1).optional(),
    rules: z.record(
      ruleId,
      z.object({
        version: z.number().int().min(1).optional(),
        severity: z.enum(SEVERITIES).optional(),
        enabled: z.boolean().optional(),
        parameters: parameters.optional(),
      }),
    ),
  })
  .refine((o) => o.venue !== undefined || o.instrumentClass !== undefined, {
    message: 'must name a venue, an instrumentClass or both (an override for everything belongs in the rule itself)',
  });

export const ruleFileSchema = z.object({
  version: z.literal(1),
  market: z
    .object({
      defaultTickSize: z.number().positive().default(0.01),
      instruments: z
        .record(z.string().min(1), z.object({ tickSize: z.number().positive().optional(), class: z.string().min(1).optional() }))
        .default({}),
      venues: z
        .record(
          z.string().min(1),
          z.object({
            close: z.string().regex(HHMM, 'must be a local time HH:MM, e.g. "16:30"'),
            timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. "Europe/London"'),
          }),
        )
        .default({}),
    })
    .default({ defaultTickSize: 0.01, instruments: {}, venues: {} }),
  detection: z
    .object({
      latenessMs: z.number().int().nonnegative().default(2000),
      fingerprintTtlMs: z.number().int().positive().default(604_800_000),
    })
    .default({ latenessMs: 2000, fingerprintTtlMs: 604_800_000 }),
  rules: z.array(ruleEntrySchema).min(1),
  overrides: z.array(ruleOverrideSchema).default([]),
});

export type RuleFile = z.output<typeof ruleFileSchema>;
export type RuleEntry = z.output<typeof ruleEntrySchema>;
