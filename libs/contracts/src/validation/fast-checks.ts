import { isSecretKeyName, secretShapeOf } from './secret-guard';
import type { JsonObject, JsonValue } from './free-form-object.schema';

/**
 * Checks for a contract's fast path (ContractSpec.fastParse): each answers true only for a
 * value its zod field schema certainly accepts unchanged, and false for anything else,
 * including values zod would accept after all. false only sends the message through zod, so
 * these may be stricter than the schemas, never looser.
 */

/** text(): a string of 1..maxLength characters that is not only whitespace. */
export function isText(value: unknown, maxLength = Number.POSITIVE_INFINITY): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) return false;
  // A printable ASCII first character settles "not blank" without trim's copy of a long string.
  const first = value.charCodeAt(0);
  return (first > 0x20 && first < 0x7f) || value.trim().length > 0;
}

/** positiveNumber(): a finite number > 0 (NaN fails both comparisons). */
export function isPositiveNumber(value: unknown): value is number {
  return typeof value === 'number' && value > 0 && value < Number.POSITIVE_INFINITY;
}

/** nonNegativeNumber(): a finite number >= 0. */
export function isNonNegativeNumber(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value < Number.POSITIVE_INFINITY;
}

const DIGIT_0 = 0x30;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * utcTimestamp() / timestamp(): the rules of rfc3339.ts (`YYYY-MM-DDTHH:MM:SS[.f{1,9}]` then `Z`,
 * or `±hh:mm` when not utcOnly; a real date and time, no second 60) read character by
 * character instead of with its regular expression and a Date.
 */
export function isRfc3339(value: unknown, utcOnly: boolean): value is string {
  if (typeof value !== 'string' || value.length < 20) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return false;
  if (value.charCodeAt(4) !== 0x2d || value.charCodeAt(7) !== 0x2d || value.charCodeAt(10) !== 0x54) return false; // - - T
  if (value.charCodeAt(13) !== 0x3a || value.charCodeAt(16) !== 0x3a) return false; // : :
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month] ?? 0))) return false;

  let at = 19;
  if (value.charCodeAt(at) === 0x2e) {
    // '.' then 1 to 9 digits
    const start = ++at;
    while (at < value.length && isDigit(value.charCodeAt(at))) at++;
    if (at === start || at - start > 9) return false;
  }
  const rest = value.length - at;
  if (rest === 1) return value.charCodeAt(at) === 0x5a; // Z
  if (utcOnly || rest !== 6) return false;
  const sign = value.charCodeAt(at);
  if ((sign !== 0x2b && sign !== 0x2d) || value.charCodeAt(at + 3) !== 0x3a) return false; // + - :
  const offsetHours = digits(value, at + 1, 2);
  const offsetMinutes = digits(value, at + 4, 2);
  return offsetHours >= 0 && offsetHours <= 23 && offsetMinutes >= 0 && offsetMinutes <= 59;
}

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_0 + 9;
}

/** The number `count` ASCII digits at `at` spell, or -1 when one is not a digit. */
function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - DIGIT_0;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}

// Deeper details are rare; zod walks them (its own limit is 32 levels).
const MAX_FAST_DEPTH = 8;

/**
 * freeFormObject({ secretsForbiddenIn }): the JSON copy it makes of a plain object, or undefined
 * when zod must look (anything but plain objects, arrays and JSON primitives, a `__proto__` or
 * symbol key, a key named like a secret even when zod would let its null or boolean pass, a
 * string shaped like a secret, deep nesting).
 */
export function copyGuardedJsonObject(value: unknown): JsonObject | undefined {
  // zod's record checks the top level by its constructor, and refuses symbol keys there.
  if (!isPlainObject(value) || value.constructor !== Object || Object.getOwnPropertySymbols(value).length !== 0) return undefined;
  return copyObject(value, 0);
}

function copyObject(object: Record<string, unknown>, depth: number): JsonObject | undefined {
  const copy: JsonObject = {};
  for (const key of Object.keys(object)) {
    const child = object[key];
    if (child === undefined) continue;
    if (key === '__proto__' || isSecretKeyName(key)) return undefined;
    const copied = copyJson(child, depth + 1);
    if (copied === undefined) return undefined;
    copy[key] = copied;
  }
  return copy;
}

function copyJson(value: unknown, depth: number): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
      return secretShapeOf(value) === undefined ? value : undefined;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (depth > MAX_FAST_DEPTH) return undefined;
      if (Array.isArray(value)) {
        const items: JsonValue[] = [];
        for (let i = 0; i < value.length; i++) {
          const item = copyJson(value[i], depth + 1);
          if (item === undefined) return undefined;
          items.push(item);
        }
        return items;
      }
      return isPlainObject(value) ? copyObject(value, depth) : undefined;
    }
    default:
      return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
