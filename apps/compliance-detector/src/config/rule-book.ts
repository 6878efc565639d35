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
 * A rule changed through the HTTP API (rules-api/): its new entry, kept in Redis, laid over
 * the file's entry while its version is above the file's (a newer file supersedes it).
 */
export interface RuleChange {
  version: number;
  severity: RuleEntry['severity'];
  enabled: boolean;
  parameters: Record<string, unknown>;
  updatedAt: string;
  updatedBy: string;
}

/**
 * The validated rule file, answering per instrument: which rules run with which parameters
 * (overrides for its venue and class applied), its tick size, its venue's close. Rule changes
 * made through the API are laid over the file while the service runs (applyChanges): the
 * detector asks rulesFor() every batch, so a change applies from the next batch on.
 */
export class RuleBook {
  private cache = new Map<string, ConfiguredRule[]>();
  private current: RuleFile;
  private changes: Record<string, RuleChange> = {};

  private constructor(private readonly base: RuleFile) {
    this.current = base;
  }

  /** The rule file in force: the file with the API's changes laid over it. */
  get file(): RuleFile {
    return this.current;
  }

  /** The rule entries in force, each with the API change that set it, if one did. */
  entries(): { entry: RuleEntry; change: RuleChange | undefined }[] {
    return this.current.rules.map((entry) => ({ entry, change: this.changeOf(entry) }));
  }

  /**
   * The file in force with one rule's entry replaced, validated as a whole (the rule's own
   * parameter schema, every override combination): the problems, each naming its field.
   */
  candidate(ruleId: string, entry: Omit<RuleEntry, 'id' | 'type'>): { file: RuleFile; problems: string[] } {
    const index = this.current.rules.findIndex((r) => r.id === ruleId);
    if (index < 0) return { file: this.current, problems: [`no rule has the id "${ruleId}"`] };
    const file: RuleFile = { ...this.current, rules: this.current.rules.map((r, i) => (i === index ? { ...r, ...entry } : r)) };
    try {
      return { file: RuleBook.from(file, 'the changed rules').file, problems: [] };
    } catch (error) {
      if (!(error instanceof RuleFileError)) throw error;
      // The rule's own fields are named as the request names them (parameters.maxRatio).
      return { file, problems: error.problems.map((p) => p.replace(`rules[${index}].`, '')) };
    }
  }

  /** Lays API changes over the file (those with a version above the file's rule); the rest of the file stays. */
  applyChanges(changes: Record<string, RuleChange>): void {
    const rules = this.base.rules.map((entry) => {
      const change = changes[entry.id];
      if (!change || change.version <= entry.version) return entry;
      return { ...entry, version: change.version, severity: change.severity, enabled: change.enabled, parameters: change.parameters };
    });
    const next = RuleBook.from({ ...this.base, rules }, 'rule file with API changes').file;
    this.changes = changes;
    this.current = next;
    this.cache = new Map();
  }

  /** The rule's version in the file itself (an API change must be above it to be in force). */
  fileVersionOf(ruleId: string): number {
    return this.base.rules.find((r) => r.id === ruleId)?.version ?? 0;
  }

  private changeOf(entry: RuleEntry): RuleChange | undefined {
    const change = this.changes[entry.id];
    return change && change.version === entry.version && change.version > this.fileVersionOf(entry.id) ? change : undefined;
  }

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
    return this.current.detection;
  }

  tickSize(instrument: string): number {
    return this.current.market.instruments[instrument]?.tickSize ?? this.current.market.defaultTickSize;
  }

  instrumentClass(instrument: string): string {
    return this.current.market.instruments[instrument]?.class ?? 'default';
  }

  venueClose(venue: string): VenueClose | undefined {
    return this.current.market.venues[venue];
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
    this.current.rules.forEach((entry, index) => {
      let merged: RuleEntry = entry;
      let where = `rules[${index}].parameters`;
      this.current.overrides.forEach((override, o) => {
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
    this.current.rules.forEach((entry, index) => {
      if (ids.has(entry.id)) problems.push(`rules[${index}].id: "${entry.id}" is used twice; give each rule its own id`);
      ids.add(entry.id);
      if (!RULES[entry.type]) {
        problems.push(
          `rules[${index}].type: ${entry.type} has no implementation in this version yet (implemented: ${Object.keys(RULES).join(', ')}); remove the rule or disable it`,
        );
      }
    });
    this.current.overrides.forEach((override, o) => {
      for (const id of Object.keys(override.rules)) {
        if (!ids.has(id)) problems.push(`overrides[${o}].rules.${id}: no rule has this id (rules: ${[...ids].join(', ')})`);
      }
    });
    if (problems.length > 0) return problems;
    // Every combination an override can produce must be valid, not only the ones traffic happens to hit.
    const venues = new Set<string | undefined>([undefined, ...this.current.overrides.map((o) => o.venue)]);
    const classes = new Set<string | undefined>([undefined, ...this.current.overrides.map((o) => o.instrumentClass)]);
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
