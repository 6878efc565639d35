import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { routingSchema, type EscalationPolicy, type RoutingConfig } from './routing.schema';

export type Labels = Record<string, string>;

/** The routing file, validated: a bad file stops the service naming each problem by path. */
export class Routing {
  private constructor(readonly config: RoutingConfig) {}

  static load(file: string): Routing {
    return Routing.fromYaml(readFileSync(file, 'utf8'), file);
  }

  static fromYaml(text: string, origin = 'routing'): Routing {
    const result = routingSchema.safeParse(parse(text));
    if (!result.success) {
      const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
      throw new Error(`${origin}: invalid routing file: ${problems.join('; ')}`);
    }
    return new Routing(result.data);
  }

  groupKey(labels: Labels): string {
    return this.config.groupBy.map((name) => `${name}=${labels[name] ?? ''}`).join(',');
  }

  /** Receivers of the first matching route (and of following ones while `continue`), else the defaults. */
  receiversFor(labels: Labels): string[] {
    const found = new Set<string>();
    for (const route of this.config.routes) {
      if (!matches(route.match, labels)) continue;
      route.receivers.forEach((name) => found.add(name));
      if (!route.continue) break;
    }
    return found.size ? [...found] : [...this.config.defaultReceivers];
  }

  escalationFor(labels: Labels): EscalationPolicy | undefined {
    return this.config.escalations.find((policy) => matches(policy.match, labels));
  }
}

export function matches(match: Record<string, string | string[]>, labels: Labels): boolean {
  return Object.entries(match).every(([name, want]) => (Array.isArray(want) ? want.includes(labels[name] ?? '') : labels[name] === want));
}
