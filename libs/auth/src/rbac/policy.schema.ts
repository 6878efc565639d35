import { z } from 'zod';
import { CONCRETE_PERMISSION, expandPattern, NAME_PATTERN, PERMISSION_PATTERN } from './permission';

const name = (what: string) => z.string().regex(NAME_PATTERN, `must be a lowercase ${what} name ([a-z][a-z0-9-]*)`);
const pattern = z.string().regex(PERMISSION_PATTERN, 'must be resource:action, each a lowercase name or *');

const role = z.strictObject({
  description: z.string().min(1, 'must say what the role is for'),
  inherits: z.array(z.string()).default([]),
  allow: z.array(pattern).default([]),
  deny: z.array(pattern).default([]),
});

const sensitive = z.union([
  z.string().regex(CONCRETE_PERMISSION, 'must be a concrete resource:action (no *)'),
  z.strictObject({
    permission: z.string().regex(CONCRETE_PERMISSION, 'must be a concrete resource:action (no *)'),
    whenDurationOverSec: z.number().int().positive(),
  }),
]);

/** The policy file as written; semantic checks (references, cycles, catalogue) in superRefine. */
export const policyFileSchema = z
  .strictObject({
    version: z.number().int().positive(),
    stepUp: z.strictObject({
      maxAgeSec: z.number().int().min(30).max(3600),
      sensitive: z.array(sensitive),
    }),
    resources: z.record(name('resource'), z.array(name('action')).min(1)),
    roles: z.record(name('role'), role),
  })
  .superRefine((policy, ctx) => {
    const catalogue = Object.entries(policy.resources).flatMap(([resource, actions]) => actions.map((action) => `${resource}:${action}`));
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

    for (const [resource, actions] of Object.entries(policy.resources)) {
      const seen = new Set<string>();
      actions.forEach((action, i) => (seen.has(action) ? issue(['resources', resource, i], `duplicate action ${action}`) : seen.add(action)));
    }
    for (const [roleName, definition] of Object.entries(policy.roles)) {
      definition.inherits.forEach((parent, i) => {
        if (!Object.hasOwn(policy.roles, parent)) issue(['roles', roleName, 'inherits', i], `unknown role ${JSON.stringify(parent)} (defined: ${Object.keys(policy.roles).join(', ')})`);
      });
      for (const effect of ['allow', 'deny'] as const) {
        definition[effect].forEach((permission, i) => {
          if (PERMISSION_PATTERN.test(permission) && expandPattern(permission, catalogue).length === 0) {
            issue(['roles', roleName, effect, i], `${permission} matches no permission in resources (a typo, or a resource/action to add there)`);
          }
        });
      }
    }
    const cycle = findCycle(Object.fromEntries(Object.entries(policy.roles).map(([roleName, definition]) => [roleName, definition.inherits])));
    if (cycle) issue(['roles', cycle[0], 'inherits'], `inheritance cycle ${cycle.join(' -> ')}`);
    policy.stepUp.sensitive.forEach((entry, i) => {
      const permission = typeof entry === 'string' ? entry : entry.permission;
      if (!catalogue.includes(permission)) issue(['stepUp', 'sensitive', i], `${permission} is not in resources`);
    });
  });

export type PolicyFile = z.infer<typeof policyFileSchema>;

/** The first inheritance cycle found, as the roles along it (first repeated at the end). */
function findCycle(graph: Record<string, string[]>): string[] | undefined {
  const done = new Set<string>();
  const visit = (node: string, path: string[]): string[] | undefined => {
    const at = path.indexOf(node);
    if (at >= 0) return [...path.slice(at), node];
    if (done.has(node) || !Object.hasOwn(graph, node)) return undefined;
    for (const parent of graph[node]) {
      const found = visit(parent, [...path, node]);
      if (found) return found;
    }
    done.add(node);
    return undefined;
  };
  for (const node of Object.keys(graph)) {
    const found = visit(node, []);
    if (found) return found;
  }
  return undefined;
}
