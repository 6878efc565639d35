import type { ComplianceAlert, MarketOrderEvent } from '@vigil/contracts';
import type { RuleBook } from '../config/rule-book';
import type { DetectorMetrics } from '../detector.metrics';
import type { RedisDetectorStore, SaveRequest } from '../state/redis-detector.store';
import { timed, type TimedEvent } from '../windows/event-time';
import { instrumentTag } from '../windows/instrument-state';
import { toAlert } from './alert';
import { evaluateInstrument } from './instrument-evaluator';

/** What one batch raised: produce `alerts`, then call `confirm` (before the offsets commit). */
export interface Detection {
  alerts: ComplianceAlert[];
  confirm(): Promise<void>;
}

interface Group {
  tag: string;
  venue: string;
  instrument: string;
  events: TimedEvent[];
}

/**
 * Runs a batch of order events through detection, the same way for the live consumer and
 * for replay: group by instrument → load their state (one Redis round trip) → evaluate in
 * memory → save state and new alerts atomically per instrument (one round trip) → hand back
 * the alerts to produce, including any an earlier attempt saved but did not confirm.
 */
export class Detector {
  constructor(
    private readonly book: RuleBook,
    private readonly store: RedisDetectorStore,
    private readonly metrics?: DetectorMetrics,
    private readonly clock: () => number = Date.now,
  ) {}

  detect(events: readonly MarketOrderEvent[]): Promise<Detection> {
    return this.run(groupByInstrument(events), false);
  }

  /** Ends the stream for these instruments: every pending event is handled and every open bucket closed (replay's end). */
  flush(instruments: { venue: string; instrument: string }[]): Promise<Detection> {
    return this.run(
      instruments.map(({ venue, instrument }) => ({ tag: instrumentTag(venue, instrument), venue, instrument, events: [] })),
      true,
    );
  }

  private async run(groups: Group[], flush: boolean): Promise<Detection> {
    const loaded = await this.store.load(
      groups.map((g) => ({ tag: g.tag, accounts: [...new Set(g.events.map((t) => t.event.accountId))], eventIds: g.events.map((t) => t.event.eventId) })),
    );
    const now = this.clock();
    const saves: SaveRequest[] = [];
    const resend: ComplianceAlert[] = [];
    let newestMs: number | undefined;
    groups.forEach((group, index) => {
      const { state, accounts, seen, outbox } = loaded[index];
      resend.push(...outbox);
      const incoming = group.events.filter((t) => !seen.has(t.event.eventId));
      this.metrics?.events.inc({ outcome: 'duplicate' }, group.events.length - incoming.length);
      const close = this.book.venueClose(group.venue);
      const market = { venue: group.venue, instrument: group.instrument, tickSize: this.book.tickSize(group.instrument), ...(close ? { close } : {}) };
      const rules = this.book.rulesFor(group.venue, group.instrument);
      const result = evaluateInstrument({ market, state, accounts, incoming }, rules, this.book.detection.latenessMs, { flush });
      this.metrics?.events.inc({ outcome: 'accepted' }, result.accepted.length);
      this.metrics?.events.inc({ outcome: 'late' }, result.late.length);
      for (const rule of rules) this.metrics?.evaluations.inc({ rule: rule.id, type: rule.type }, result.evaluations.get(rule.id) ?? 0);
      for (const t of result.accepted) newestMs = Math.max(newestMs ?? t.tsMs, t.tsMs);
      saves.push({
        tag: group.tag,
        state,
        accounts: new Map([...accounts].filter(([id]) => result.touched.has(id))),
        accepted: result.accepted.map((t) => ({ eventId: t.event.eventId, tsMs: t.tsMs })),
        alerts: result.findings.map(({ rule, finding }) => toAlert(rule, finding, market, now)),
      });
    });
    const fresh = await this.store.save(saves, now);

    const alerts = [...resend];
    const delivered = new Map<string, string[]>();
    for (const alert of resend) delivered.set(instrumentTag(alert.venue, alert.instrument), [...(delivered.get(instrumentTag(alert.venue, alert.instrument)) ?? []), alert.fingerprint]);
    saves.forEach((save, index) => {
      for (const alert of save.alerts) {
        if (!fresh[index].has(alert.fingerprint)) continue;
        alerts.push(alert);
        delivered.set(save.tag, [...(delivered.get(save.tag) ?? []), alert.fingerprint]);
        this.metrics?.alerts.inc({ rule: alert.ruleId, type: alert.type, severity: alert.severity });
      }
    });
    if (newestMs !== undefined) this.metrics?.windowLag.set(Math.max(0, (now - newestMs) / 1000));
    return {
      alerts,
      confirm: async () => {
        await this.store.confirm(delivered);
        this.metrics?.roundTrips.observe(this.store.takeRoundTrips());
      },
    };
  }
}

function groupByInstrument(events: readonly MarketOrderEvent[]): Group[] {
  const groups = new Map<string, Group>();
  const ids = new Set<string>();
  for (const event of events) {
    // A duplicate inside the batch is dropped here; one across batches by the store's seen set.
    if (ids.has(event.eventId)) continue;
    ids.add(event.eventId);
    const tag = instrumentTag(event.venue, event.instrument);
    let group = groups.get(tag);
    if (!group) {
      group = { tag, venue: event.venue, instrument: event.instrument, events: [] };
      groups.set(tag, group);
    }
    group.events.push(timed(event));
  }
  return [...groups.values()];
}
