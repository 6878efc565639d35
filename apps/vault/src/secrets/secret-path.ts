/**
 * Secret paths: 1 to 8 segments joined by `/`, each starting with a lower-case letter or
 * digit, then letters, digits, `.`, `_` or `-` (at most 64), 256 characters in all: `db/audit-writer`,
 * `webhook/pagerduty`. No `.`/`..` segments, no empty segments, no leading or trailing `/`,
 * so one secret has exactly one spelling and a path can never escape its prefix.
 */
const SEGMENT = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MAX_PATH_LENGTH = 256;
export const MAX_SEGMENTS = 8;

/** Why `path` is not a valid secret path, or undefined when it is. Never repeats the path. */
export function secretPathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'must be a non-empty string like db/audit-writer';
  if (path.length > MAX_PATH_LENGTH) return `must be at most ${MAX_PATH_LENGTH} characters (got ${path.length})`;
  const segments = path.split('/');
  if (segments.length > MAX_SEGMENTS) return `must have at most ${MAX_SEGMENTS} segments (got ${segments.length})`;
  const bad = segments.findIndex((s) => !SEGMENT.test(s));
  if (bad >= 0) {
    return `segment ${bad + 1} must start with a-z or 0-9 and hold only a-z 0-9 . _ - (at most 64 characters); segments are joined by single slashes`;
  }
  return undefined;
}
