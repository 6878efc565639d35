import { isIP } from 'node:net';
import { z } from 'zod';
import { rfc3339Problem } from './rfc3339';
import { kindOf } from './value-kind';

/**
 * Field schemas shared by the topic contracts. Problems raised here are phrased to read after
 * `field "<path>"` (see describe-issue.ts) and describe bad values by kind only. They are raised
 * with `continue: false` so that checks across fields (windowEnd after windowStart, a FILL's
 * required fields) run only once every field on its own is sound, and never see a bad value.
 */

/** A string with at least one non-blank character, optionally bounded in length. */
export function text(options: { maxLength?: number } = {}) {
  return z.string().superRefine((value, ctx) => {
    if (value.length === 0) {
      ctx.addIssue({ code: 'custom', continue: false, message: 'must not be empty' });
    } else if (value.trim().length === 0) {
      ctx.addIssue({ code: 'custom', continue: false, message: 'must not be blank (got only whitespace)' });
    } else if (options.maxLength !== undefined && value.length > options.maxLength) {
      ctx.addIssue({
        code: 'custom',
        continue: false,
        message: `must be at most ${options.maxLength} characters long (got ${value.length} characters)`,
      });
    }
  });
}

/**
 * An optional field. JSON `null` counts as absent: Avro writes absent optional fields as null
 * and many JSON serialisers do the same, so rejecting null would reject well-meant events.
 */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}

/** A finite number (JSON numbers only: "12.5" in quotes is rejected). */
export const finiteNumber = () => z.number();
export const positiveNumber = () => z.number().positive();
export const nonNegativeNumber = () => z.number().min(0);
/** An integer JS can hold exactly, >= 0 (Avro long). */
export const nonNegativeInteger = () => z.number().int().min(0);
/** An integer >= 0 that fits an Avro int. */
export const nonNegativeInt32 = () => z.number().int().min(0).max(2_147_483_647);

/** RFC 3339 timestamp in UTC (`Z`), up to 9 fractional digits, and a real calendar date/time. */
export function utcTimestamp() {
  return timestampSchema(true);
}

/** RFC 3339 timestamp with `Z` or a `±hh:mm` offset, up to 9 fractional digits, a real date/time. */
export function timestamp() {
  return timestampSchema(false);
}

function timestampSchema(utcOnly: boolean) {
  return z.string().superRefine((value, ctx) => {
    const problem = rfc3339Problem(value, { utcOnly });
    if (problem) ctx.addIssue({ code: 'custom', continue: false, message: problem });
  });
}

/** An IPv4 or IPv6 address in its textual form. */
export function ipAddress() {
  return z.string().superRefine((value, ctx) => {
    if (isIP(value) === 0) {
      ctx.addIssue({ code: 'custom', continue: false, message: `must be an IPv4 or IPv6 address (got ${kindOf(value)})` });
    }
  });
}

/** A string matching `pattern`; `expectation` completes "must be ..." (e.g. "64 lowercase hex digits"). */
export function patterned(pattern: RegExp, expectation: string) {
  return z.string().superRefine((value, ctx) => {
    if (!pattern.test(value)) {
      ctx.addIssue({ code: 'custom', continue: false, message: `must be ${expectation} (got a string of ${value.length} characters)` });
    }
  });
}
