import type { z } from 'zod';
import type { FieldProblem } from '../contract';
import { kindOf, shortValueOrKind, valueAt } from './value-kind';

type Issue = z.core.$ZodIssue;

const ROOT = '(root)';
const NUMERIC_STRING = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * Turns a zod issue into the field path and a problem sentence that reads after
 * `field "<path>"`. The value is looked up in the original input and described by kind,
 * so no message ever echoes content. Custom issues raised by our schemas already carry
 * their sentence.
 */
export function describeIssue(issue: Issue, input: unknown): FieldProblem {
  const field = issue.path.length === 0 ? ROOT : issue.path.map(String).join('.');
  const value = valueAt(input, issue.path);
  return { field, problem: problemOf(issue, value, field === ROOT) };
}

function problemOf(issue: Issue, value: unknown, atRoot: boolean): string {
  if (value === undefined && issue.code !== 'custom') return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      return invalidType(issue.expected, value, atRoot);
    case 'too_small':
      return tooSmall(issue, value);
    case 'too_big':
      return tooBig(issue, value);
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')} (got ${shortValueOrKind(value)})`;
    case 'invalid_union':
      if (issue.discriminator !== undefined && 'options' in issue && issue.options) {
        return `must be one of ${issue.options.map(String).join(', ')} (got ${shortValueOrKind(value)})`;
      }
      return `does not match any allowed form (got ${kindOf(value)})`;
    case 'invalid_format':
      return `must be a valid ${issue.format} (got ${kindOf(value)})`;
    case 'invalid_key':
      return 'has a key that is not allowed';
    case 'custom':
      return issue.message;
    default:
      return `is invalid (got ${kindOf(value)})`;
  }
}

function invalidType(expected: string, value: unknown, atRoot: boolean): string {
  if (value === null) return 'is required (got null)';
  const kind = kindOf(value);
  if (expected === 'number' || expected === 'int') {
    const noun = expected === 'int' ? 'an integer' : 'a number';
    if (typeof value === 'string' && NUMERIC_STRING.test(value)) {
      return `must be ${noun}, not a number inside a string (got string)`;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return `must be a finite ${expected === 'int' ? 'integer' : 'number'} (got ${kind})`;
    return `must be ${noun} (got ${kind})`;
  }
  return `must be ${nounFor(expected, atRoot)} (got ${kind})`;
}

function nounFor(expected: string, atRoot: boolean): string {
  switch (expected) {
    case 'object':
    case 'record':
      return atRoot ? 'a JSON object' : 'an object';
    case 'array':
      return 'an array';
    case 'boolean':
      return 'a boolean (true or false)';
    default:
      return `a ${expected}`;
  }
}

function tooSmall(issue: Extract<Issue, { code: 'too_small' }>, value: unknown): string {
  const min = Number(issue.minimum);
  switch (issue.origin) {
    case 'string':
      return min <= 1 ? 'must not be empty' : `must be at least ${min} characters long (got ${lengthOf(value)})`;
    case 'array':
      return `must have at least ${min} item${min === 1 ? '' : 's'} (got ${lengthOf(value)})`;
    default:
      return `must be ${issue.inclusive ? '>=' : '>'} ${min} (got ${kindOf(value)})`;
  }
}

function tooBig(issue: Extract<Issue, { code: 'too_big' }>, value: unknown): string {
  const max = Number(issue.maximum);
  switch (issue.origin) {
    case 'string':
      return `must be at most ${max} characters long (got ${lengthOf(value)})`;
    case 'array':
      return `must have at most ${max} items (got ${lengthOf(value)})`;
    default:
      return `must be ${issue.inclusive ? '<=' : '<'} ${max} (got ${kindOf(value)})`;
  }
}

function lengthOf(value: unknown): string {
  if (typeof value === 'string') return `${value.length} characters`;
  if (Array.isArray(value)) return `${value.length} items`;
  return kindOf(value);
}
