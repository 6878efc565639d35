import { z } from 'zod';
import type { Labels } from '../routing/routing';

/** Alertmanager's matcher shape: equal or not, literal or regex (anchored). */
export const matcherSchema = z.object({
  name: z.string().min(1),
  value: z.string(),
  isRegex: z.boolean().default(false),
  isEqual: z.boolean().default(true),
});
export type Matcher = z.output<typeof matcherSchema>;

export function matchesAll(matchers: Matcher[], labels: Labels): boolean {
  return matchers.every((matcher) => {
    const value = labels[matcher.name] ?? '';
    const hit = matcher.isRegex ? new RegExp(`^(?:${matcher.value})$`).test(value) : value === matcher.value;
    return matcher.isEqual ? hit : !hit;
  });
}
