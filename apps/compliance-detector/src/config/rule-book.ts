import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import type { ConfiguredRule } from '../rules/rule';
import { RULES, ruleOf } from '../rules/rule.registry';
import { ruleFileSchema, type RuleEntry, type RuleFile } from './rule-file.schema';
import type { VenueClose } from './venue-close';

const SHIPPED = join('apps', 'compliance-detector', 'rules', 'default-rules.yaml');

/**
 * The rule file shipped with the service (apps/compliance-detector/rules/default-rules.yaml):
 * beside the sources, or, from the build in dist/apps/compliance-detector/src, in the repository
 * the build sits in.
 */
export const DEFAULT_RULES_FILE =
  [join(__dirname, '..', '..', 'rules', 'default-rules.yaml'), resolve(__dirname, '..', '..', '..', '..', '..', SHIPPED), resolve(SHIPPED)].find((path) =>
    existsSync(path),
  ) ?? join(__dirname, '..', '..', 'rules', 'default-rules.yaml');

/** A rule file that cannot be used: every problem, each naming its path in the file. */
export class RuleFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`rule file ${source} is invalid: ${problems.join('; ')}`);
    this.name = 'RuleFileError';
  }
}

/**
 * The validated rule file, answering per instrument: which rules run with which parameters
 * (overrides for its venue and class applied), its tick size, its venue's close.
 */
export class RuleBook {
  private readonly cache = new Map<string, ConfiguredRule[]>();

  private constructor(readonly file: RuleFile) {}

  /** Validates a parsed rule file (YAML or JSON): structure, then each rule's parameters with overrides applied. */
  static from(input: unknown, source = 'rules'): RuleBook {
    const parsed = ruleFileSchema.safeParse(input);
    if (!parsed.success) throw new RuleFileError(source, issuesOf(parsed.error));
    const book = new RuleBook(parsed.data);
    const problems = book.check();
    if (problems.length > 0) throw new RuleFileError(source, problems);
    return book;
  }

  static load(path: string = DEFAULT_RULES_FILE): RuleBook {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new RuleFileError(path, [`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): check the path`]);
    }
    let input: unknown;
    try {
      input = parseYaml(text);
    } catch (error) {
      throw new RuleFileError(path, [`is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`]);
    }
    return RuleBook.from(input, path);
  }

  get detection(): RuleFile['detection'] {
    return this.file.detection;
  }

  tickSize(instrument: string): number {
    return this.file.market.instruments[instrument]?.tickSize ?? this.file.market.defaultTickSize;
  }

  instrumentClass(instrument: string): string {
    return this.file.market.instruments[instrument]?.class ?? 'default';
  }

  venueClose(venue: string): VenueClose | undefined {
    return this.file.market.venues[venue];
  }

  /** The enabled rules for an instrument on a venue, overrides applied in file order. */
  rulesFor(venue: string, instrument: string): ConfiguredRule[] {
    const instrumentClass = this.instrumentClass(instrument);
    const key = `${venue}\u0000${instrumentClass}`;
    let rules = this.cache.get(key);
    if (!rules) {
      rules = this.resolve(venue, instrumentClass).configured.filter((r) => r.enabled).map((r) => r.rule);
      this.cache.set(key, rules);
    }
    return rules;
  }

  /** How far back the account windows must reach for these rules. */
  static lookbackMs(rules: ConfiguredRule[]): number {
    return Math.max(0, ...rules.map((r) => ruleOf(r.type).lookbackMs(r.parameters as never)));
  }

  private resolve(venue: string | undefined, instrumentClass: string | undefined) {
    const problems: string[] = [];
    const configured: { enabled: boolean; rule: ConfiguredRule }[] = [];
    this.file.rules.forEach((entry, index) => {
      let merged: RuleEntry = entry;
      let where = `rules[${index}].parameters`;
      this.file.overrides.forEach((override, o) => {
        const applies =
          (override.venue === undefined || override.venue === venue) &&
          (override.instrumentClass === undefined || override.instrumentClass === instrumentClass);
        const change = override.rules[entry.id];
        if (!applies || !change) return;
        merged = {
          ...merged,
          version: change.version ?? merged.version,
          severity: change.severity ?? merged.severity,
          enabled: change.enabled ?? merged.enabled,
          parameters: { ...merged.parameters, ...change.parameters },
        };
        if (change.parameters) where = `overrides[${o}].rules.${entry.id}.parameters`;
      });
      const rule = RULES[entry.type];
      if (!rule) return; // reported by check()
      const parameters = rule.parameters.safeParse(merged.parameters);
      if (!parameters.success) {
        problems.push(...issuesOf(parameters.error, where));
        return;
      }
      configured.push({
        enabled: merged.enabled,
        rule: { id: entry.id, version: merged.version, type: entry.type, severity: merged.severity, parameters: parameters.data },
      });
    });
    return { configured, problems };
  }

  private check(): string[] {
    const problems: string[] = [];
    const ids = new Set<string>();
    this.file.rules.forEach((entry, index) => {
      if (ids.has(entry.id)) problems.push(`rules[${index}].id: "${entry.id}" is used twice; give each rule its own id`);
      ids.add(entry.id);
      if (!RULES[entry.type]) {
        problems.push(
          `rules[${index}].type: ${entry.type} has no implementation in this version yet (implemented: ${Object.keys(RULES).join(', ')}); remove the rule or disable it`,
        );
      }
    });
    this.file.overrides.forEach((override, o) => {
      for (const id of Object.keys(override.rules)) {
        if (!ids.has(id)) problems.push(`overrides[${o}].rules.${id}: no rule has this id (rules: ${[...ids].join(', ')})`);
      }
    });
    if (problems.length > 0) return problems;
    // Every combination an override can produce must be valid, not only the ones traffic happens to hit.
    const venues = new Set<string | undefined>([undefined, ...this.file.overrides.map((o) => o.venue)]);
    const classes = new Set<string | undefined>([undefined, ...this.file.overrides.map((o) => o.instrumentClass)]);
    const seen = new Set<string>();
    for (const venue of venues) {
      for (const instrumentClass of classes) {
        for (const problem of this.resolve(venue, instrumentClass).problems) {
          if (!seen.has(problem)) problems.push(problem);
          seen.add(problem);
        }
      }
    }
    return problems;
  }
}

function issuesOf(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
      prefix,
    );
    return `${path || '(top level)'}: ${issue.message}`;
  });
}
