import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException, OnApplicationBootstrap, ServiceUnavailableException } from '@nestjs/common';
import type { Principal } from '@vigil/auth';
import type { JsonObject, Severity } from '@vigil/contracts';
import { SERVICE_LOGGER, ShutdownService } from '@vigil/service';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { RuleBook, type RuleChange } from '../config/rule-book';
import type { RuleEntry } from '../config/rule-file.schema';
import { ruleOf } from '../rules/rule.registry';
import { RuleChangeStore } from './rule-change.store';
import { RulesAudit } from './rules-audit';

/** How often an instance looks for rule changes another instance made. */
export const RULE_POLL_MS = 2_000;

export interface RuleView {
  id: string;
  type: RuleEntry['type'];
  version: number;
  severity: Severity;
  enabled: boolean;
  /** Every parameter in force, defaults included. */
  parameters: Record<string, unknown>;
  source: 'file' | 'api';
  updatedAt?: string;
  updatedBy?: string;
}

export interface RuleChangeInput {
  parameters?: Record<string, unknown> | undefined;
  severity?: Severity | undefined;
  enabled?: boolean | undefined;
  /** The version the caller read: refused with 409 if the rule has moved on since. */
  expectedVersion?: number | undefined;
}

/**
 * The rules in force and their changes through the API: a change is validated against the
 * rule file schema, saved in Redis (compare-and-set on the version), applied to this
 * instance's RuleBook at once (the detector reads it every batch) and audited on
 * audit.events.v1 with the old and new entry; other instances pick it up by polling the
 * revision. A change that cannot be audited is taken back.
 */
@Injectable()
export class LiveRules implements OnApplicationBootstrap {
  private revision = -1;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly book: RuleBook,
    private readonly store: RuleChangeStore,
    private readonly audit: RulesAudit,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly shutdown: ShutdownService,
  ) {}

  onApplicationBootstrap(): void {
    const poll = () => void this.refresh().catch((error: unknown) => this.logger.warn({ err: error }, 'rule changes could not be read from Redis; the rules in force stay'));
    this.timer = setInterval(poll, RULE_POLL_MS);
    this.timer.unref();
    poll();
    this.shutdown.onShutdown('rule changes poll', () => clearInterval(this.timer));
  }

  /** Loads the changes if the revision moved (any instance's change, or a restore). */
  async refresh(): Promise<void> {
    if ((await this.store.revision()) === this.revision) return;
    const { revision, changes } = await this.store.all();
    this.book.applyChanges(changes);
    if (this.revision !== -1 || Object.keys(changes).length > 0) this.logger.info({ revision, changed: Object.keys(changes) }, 'rule changes applied');
    this.revision = revision;
  }

  list(): RuleView[] {
    return this.book.entries().map(({ entry, change }) => view(entry, change));
  }

  get(ruleId: string): RuleView {
    const found = this.book.entries().find(({ entry }) => entry.id === ruleId);
    if (!found) throw new NotFoundException({ error: 'not_found', message: `no rule has the id "${ruleId}" (rules: ${this.book.entries().map((e) => e.entry.id).join(', ')})` });
    return view(found.entry, found.change);
  }

  /** PUT replaces the parameters (left-out ones take their defaults), PATCH merges them into those in force. */
  async change(ruleId: string, input: RuleChangeInput, mode: 'replace' | 'merge', who: Principal): Promise<RuleView> {
    await this.refresh();
    const before = this.get(ruleId);
    const entry = this.book.entries().find((e) => e.entry.id === ruleId)?.entry as RuleEntry;
    const resource = `rule:${ruleId}`;
    if (input.expectedVersion !== undefined && input.expectedVersion !== before.version) {
      throw new ConflictException({ error: 'conflict', message: `rule ${ruleId} is at version ${before.version}, not ${input.expectedVersion}: read it again` });
    }
    const parameters = mode === 'replace' ? (input.parameters ?? {}) : { ...entry.parameters, ...input.parameters };
    const next = { version: before.version + 1, severity: input.severity ?? before.severity, enabled: input.enabled ?? before.enabled, parameters };
    const problems = [...unknownParameters(entry.type, input.parameters ?? {}), ...this.book.candidate(ruleId, next).problems];
    if (problems.length > 0) {
      await this.audit.ruleChange(who, resource, 'failure', { ruleId, requested: input as JsonObject, problems }, problems.join('; ')).catch(() => undefined);
      throw new BadRequestException({ error: 'invalid_rule', message: `rule ${ruleId} was not changed: ${problems.join('; ')}`, problems });
    }
    const previous = this.book.entries().find((e) => e.entry.id === ruleId)?.change;
    const change: RuleChange = { ...next, updatedAt: new Date().toISOString(), updatedBy: who.id };
    const fileVersion = this.book.fileVersionOf(ruleId);
    const saved = await this.store.save(ruleId, fileVersion, before.version, change);
    if (!saved.saved) {
      await this.refresh();
      throw new ConflictException({ error: 'conflict', message: `rule ${ruleId} was changed meanwhile (now version ${saved.currentVersion}): read it again` });
    }
    await this.refresh();
    const after = this.get(ruleId);
    try {
      await this.audit.ruleChange(who, resource, 'success', {
        ruleId,
        type: after.type,
        oldVersion: before.version,
        newVersion: after.version,
        old: { severity: before.severity, enabled: before.enabled, parameters: before.parameters } as JsonObject,
        new: { severity: after.severity, enabled: after.enabled, parameters: after.parameters } as JsonObject,
      });
    } catch (error) {
      // Nothing changes unaudited: the change is taken back.
      await this.store.restore(ruleId, change.version, previous);
      await this.refresh();
      this.logger.error({ err: error, ruleId }, 'rule change could not be audited; taken back');
      throw new ServiceUnavailableException({ error: 'audit_unavailable', message: 'the change could not be audited and was not made; try again' });
    }
    this.logger.info({ ruleId, from: before.version, to: after.version, by: who.id }, 'rule changed');
    return after;
  }
}

function view(entry: RuleEntry, change: RuleChange | undefined): RuleView {
  return {
    id: entry.id,
    type: entry.type,
    version: entry.version,
    severity: entry.severity,
    enabled: entry.enabled,
    parameters: ruleOf(entry.type).parameters.parse(entry.parameters) as Record<string, unknown>,
    source: change ? 'api' : 'file',
    ...(change ? { updatedAt: change.updatedAt, updatedBy: change.updatedBy } : {}),
  };
}

/** A parameter the rule does not have is refused by name (a typo would otherwise be dropped silently). */
function unknownParameters(type: RuleEntry['type'], parameters: Record<string, unknown>): string[] {
  const shape = (ruleOf(type).parameters as unknown as z.ZodObject<z.ZodRawShape>).shape;
  if (!shape) return [];
  const known = Object.keys(shape);
  return Object.keys(parameters)
    .filter((name) => !known.includes(name))
    .map((name) => `parameters.${name}: is not a parameter of ${type} (its parameters: ${known.join(', ')})`);
}
