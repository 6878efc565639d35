/**
 * Permission grammar: `resource:action`, each a lowercase name (`[a-z][a-z0-9-]*`) or
 * `*`. A pattern with `*` stands for every catalogued permission it matches; a request
 * is always concrete.
 */
const NAME = '[a-z][a-z0-9-]*';
export const PERMISSION_PATTERN = new RegExp(`^(${NAME}|\\*):(${NAME}|\\*)$`);
export const CONCRETE_PERMISSION = new RegExp(`^${NAME}:${NAME}$`);
export const NAME_PATTERN = new RegExp(`^${NAME}$`);

/** The concrete permissions of `catalogue` that `pattern` stands for (empty if none). */
export function expandPattern(pattern: string, catalogue: readonly string[]): string[] {
  const match = PERMISSION_PATTERN.exec(pattern);
  if (!match) return [];
  const [, resource, action] = match;
  return catalogue.filter((permission) => {
    const [r, a] = permission.split(':');
    return (resource === '*' || resource === r) && (action === '*' || action === a);
  });
}
