import { z } from 'zod';
import { isSecretKeyName, secretShapeOf } from './secret-guard';
import { kindOf } from './value-kind';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const MAX_DEPTH = 32;

interface FreeFormOptions {
  /**
   * Name used in secret-guard messages (e.g. "audit details"); undefined turns the guard off.
   * The guard only sees keys and string shapes, see secret-guard.ts.
   */
  readonly secretsForbiddenIn?: string;
}

type Walk = { ok: true; value: JsonValue } | { ok: false; path: PropertyKey[]; problem: string };

/**
 * A free-form JSON object (audit details, incident evidence). The parsed value is a plain JSON
 * copy: keys whose value is `undefined` are dropped (JSON has no undefined), anything JSON cannot
 * carry (functions, Dates, non-finite numbers) is rejected, as is nesting deeper than 32 levels.
 */
export function freeFormObject(options: FreeFormOptions = {}) {
  return z.record(z.string(), z.unknown()).transform((object, ctx): JsonObject => {
    const walked = walk(object, [], 0, options);
    if (!walked.ok) {
      ctx.addIssue({ code: 'custom', message: walked.problem, path: walked.path });
      return z.NEVER;
    }
    return walked.value as JsonObject;
  });
}

function walk(value: unknown, path: PropertyKey[], depth: number, options: FreeFormOptions): Walk {
  if (depth > MAX_DEPTH) return fail(path, `is nested too deeply (more than ${MAX_DEPTH} levels)`);
  if (value === null || typeof value === 'boolean') return { ok: true, value };
  if (typeof value === 'number') {
    return Number.isFinite(value) ? { ok: true, value } : fail(path, `must be a finite number (got ${kindOf(value)})`);
  }
  if (typeof value === 'string') {
    const shape = options.secretsForbiddenIn ? secretShapeOf(value) : undefined;
    return shape ? fail(path, secretProblem(options.secretsForbiddenIn ?? '', `looks like ${shape}`)) : { ok: true, value };
  }
  if (Array.isArray(value)) {
    const items: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = walk(value[i], [...path, i], depth + 1, options);
      if (!item.ok) return item;
      items.push(item.value);
    }
    return { ok: true, value: items };
  }
  if (isPlainObject(value)) {
    const copy: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue;
      if (options.secretsForbiddenIn && isSecretKeyName(key) && child !== null && typeof child !== 'boolean') {
        return fail([...path, key], secretProblem(options.secretsForbiddenIn, `is named like a secret (got ${kindOf(child)})`));
      }
      const walked = walk(child, [...path, key], depth + 1, options);
      if (!walked.ok) return walked;
      // defineProperty: a JSON key "__proto__" must stay a plain key, not replace the prototype.
      Object.defineProperty(copy, key, { value: walked.value, enumerable: true, writable: true, configurable: true });
    }
    return { ok: true, value: copy };
  }
  return fail(path, `must be a JSON value (got ${kindOf(value)})`);
}

function secretProblem(where: string, what: string): string {
  return `${what}; ${where} never hold a secret value, password, token or key: record its id or name instead`;
}

function fail(path: PropertyKey[], problem: string): Walk {
  return { ok: false, path, problem };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || proto === Object.prototype;
}
