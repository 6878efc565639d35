import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuleBook, RuleFileError } from './rule-book';

const problemsOf = (input: unknown): string[] => {
  try {
    RuleBook.from(input, 'test.yaml');
  } catch (error) {
    if (error instanceof RuleFileError) return error.problems;
    throw error;
  }
  return [];
};

const base = { version: 1, rules: [{ id: 'otr', version: 1, type: 'ORDER_TO_TRADE_RATIO', severity: 'MEDIUM' }] };

describe('RuleBook', () => {
  it('loads the shipped defaults with the issue thresholds, tick 0.01 and the three venue closes', () => {
    const book = RuleBook.load();
    expect(book.rulesFor('XLON', 'ANY').map((r) => [r.id, r.type, r.version, r.severity, r.parameters])).toEqual([
      ['wash-trade', 'WASH_TRADE', 1, 'HIGH', { bucketMs: 600_000 }],
      ['order-to-trade-ratio', 'ORDER_TO_TRADE_RATIO', 1, 'MEDIUM', { windowMs: 1_800_000, maxRatio: 100, minMessages: 200, weights: { NEW: 1, CANCEL: 1, AMEND: 2 } }],
      ['cancellation-rate', 'CANCELLATION_RATE', 1, 'MEDIUM', { windowMs: 1_800_000, maxCancelRatio: 0.98, minNewOrders: 200 }],
      ['quote-stuffing', 'QUOTE_STUFFING', 1, 'HIGH', { windowMs: 1000, minMessages: 100, minCancelledShare: 0.9, maxMedianLifetimeMs: 50, bucketMs: 60_000, trackOrdersMs: 10_000 }],
      [
        'spoofing',
        'SPOOFING',
        1,
        'HIGH',
        { sizeMultiple: 5, minOrdersForMedian: 100, referenceQuantity: 100, maxTicksFromTouch: 5, maxCancelDelayMs: 5000, maxFilledShare: 0.1, oppositeFillGraceMs: 2000, minCancelledToFilled: 2.5 },
      ],
      ['marking-the-close', 'MARKING_THE_CLOSE', 1, 'HIGH', { windowMs: 300_000, minShare: 0.4, minAccountVolume: 100, minTotalVolume: 500, minTicksMoved: 2 }],
      ['momentum-ignition', 'MOMENTUM_IGNITION', 1, 'HIGH', { runMs: 5000, minPriceLevels: 3, minTicksMoved: 3, unwindMs: 60_000, minUnwindShare: 0.5 }],
      [
        'layering',
        'LAYERING',
        1,
        'HIGH',
        { minOrders: 3, minPriceLevels: 3, maxTicksFromTouch: 10, eachSizeMultiple: 5, togetherSizeMultiple: 10, minOrdersForMedian: 100, referenceQuantity: 100, minCancelledShare: 0.8, maxFilledShare: 0.1 },
      ],
    ]);
    expect(book.tickSize('ANY')).toBe(0.01);
    expect(book.detection.latenessMs).toBe(2000);
    expect(book.venueClose('XLON')).toEqual({ close: '16:30', timeZone: 'Europe/London' });
    expect(book.venueClose('XNYS')).toEqual({ close: '16:00', timeZone: 'America/New_York' });
    expect(book.venueClose('XETR')).toEqual({ close: '17:30', timeZone: 'Europe/Berlin' });
  });

  it('fills left-out parameters with the rule defaults', () => {
    expect(RuleBook.from(base).rulesFor('XLON', 'I')[0].parameters).toEqual({ windowMs: 1_800_000, maxRatio: 100, minMessages: 200, weights: { NEW: 1, CANCEL: 1, AMEND: 2 } });
  });

  it('applies overrides per venue and per instrument class, later ones winning, and can disable a rule', () => {
    const book = RuleBook.from({
      ...base,
      market: { instruments: { ETF1: { class: 'etf', tickSize: 0.005 } } },
      overrides: [
        { venue: 'XNYS', rules: { otr: { parameters: { maxRatio: 200 } } } },
        { venue: 'XNYS', instrumentClass: 'etf', rules: { otr: { severity: 'LOW', version: 2, parameters: { minMessages: 500 } } } },
        { instrumentClass: 'bond', rules: { otr: { enabled: false } } },
      ],
    });
    expect(book.rulesFor('XLON', 'ETF1')[0].parameters).toMatchObject({ maxRatio: 100, minMessages: 200 });
    expect(book.rulesFor('XNYS', 'STOCK')[0]).toMatchObject({ severity: 'MEDIUM', version: 1, parameters: { maxRatio: 200, minMessages: 200 } });
    expect(book.rulesFor('XNYS', 'ETF1')[0]).toMatchObject({ severity: 'LOW', version: 2, parameters: { maxRatio: 200, minMessages: 500 } });
    expect(book.tickSize('ETF1')).toBe(0.005);
    const bonds = RuleBook.from({ ...base, market: { instruments: { B1: { class: 'bond' } } }, overrides: [{ instrumentClass: 'bond', rules: { otr: { enabled: false } } }] });
    expect(bonds.rulesFor('XLON', 'B1')).toEqual([]);
  });

  it.each<[string, unknown, RegExp]>([
    ['a negative parameter, by its path', { ...base, rules: [{ ...base.rules[0], parameters: { maxRatio: -1 } }] }, /^rules\[0\]\.parameters\.maxRatio: /],
    ['a bad override parameter, by the override path', { ...base, overrides: [{ venue: 'X', rules: { otr: { parameters: { minMessages: 'many' } } } }] }, /^overrides\[0\]\.rules\.otr\.parameters\.minMessages: /],
    ['an unknown severity', { ...base, rules: [{ ...base.rules[0], severity: 'URGENT' }] }, /^rules\[0\]\.severity: /],
    ['an unknown type', { ...base, rules: [{ ...base.rules[0], type: 'FRONT_RUNNING' }] }, /^rules\[0\]\.type: /],
    ['a missing version', { ...base, rules: [{ id: 'otr', type: 'ORDER_TO_TRADE_RATIO', severity: 'LOW' }] }, /^rules\[0\]\.version: /],
    ['a duplicate id', { ...base, rules: [base.rules[0], base.rules[0]] }, /^rules\[1\]\.id: "otr" is used twice/],
    ['an override of an unknown rule', { ...base, overrides: [{ venue: 'X', rules: { nope: {} } }] }, /^overrides\[0\]\.rules\.nope: no rule has this id/],
    ['an override matching everything', { ...base, overrides: [{ rules: { otr: {} } }] }, /^overrides\[0\]: must name a venue/],
    ['a bad close time', { ...base, market: { venues: { XLON: { close: '4:30pm', timeZone: 'Europe/London' } } } }, /^market\.venues\.XLON\.close: must be a local time HH:MM/],
    ['an unknown time zone', { ...base, market: { venues: { XLON: { close: '16:30', timeZone: 'Europe/Londres' } } } }, /^market\.venues\.XLON\.timeZone: must be an IANA time zone/],
    ['a zero tick size', { ...base, market: { defaultTickSize: 0 } }, /^market\.defaultTickSize: /],
  ])('rejects %s', (_name, input, expected) => {
    expect(problemsOf(input)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('names the file when it cannot be read or parsed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    expect(() => RuleBook.load(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml is invalid: cannot be read \(ENOENT\)/);
    writeFileSync(join(dir, 'bad.yaml'), 'rules: [\n');
    expect(() => RuleBook.load(join(dir, 'bad.yaml'))).toThrow(/bad\.yaml is invalid: is not valid YAML or JSON/);
  });

  describe('changes made through the rules API', () => {
    const change = (version: number, parameters: Record<string, unknown>) => ({ version, severity: 'LOW' as const, enabled: true, parameters, updatedAt: '2026-03-02T14:00:00Z', updatedBy: 'alice' });

    it('lays a change over the file at once: rulesFor answers with the new parameters and version', () => {
      const book = RuleBook.load();
      expect(book.rulesFor('XLON', 'VOD').find((r) => r.id === 'order-to-trade-ratio')).toMatchObject({ version: 1, parameters: { maxRatio: 100 } });
      book.applyChanges({ 'order-to-trade-ratio': change(2, { maxRatio: 10, minMessages: 20 }) });
      expect(book.rulesFor('XLON', 'VOD').find((r) => r.id === 'order-to-trade-ratio')).toMatchObject({ version: 2, severity: 'LOW', parameters: { maxRatio: 10, minMessages: 20, windowMs: 1_800_000 } });
      expect(book.entries().find((e) => e.entry.id === 'order-to-trade-ratio')?.change?.updatedBy).toBe('alice');
    });

    it('lets a newer rule file supersede an older API change (the higher version wins)', () => {
      const book = RuleBook.load();
      book.applyChanges({ 'order-to-trade-ratio': change(1, { maxRatio: 10 }) });
      expect(book.rulesFor('XLON', 'VOD').find((r) => r.id === 'order-to-trade-ratio')?.parameters).toMatchObject({ maxRatio: 100 });
      expect(book.entries().find((e) => e.entry.id === 'order-to-trade-ratio')?.change).toBeUndefined();
    });

    it('checks a candidate change as a whole file, naming the bad parameter as the request names it', () => {
      const book = RuleBook.load();
      const { problems } = book.candidate('order-to-trade-ratio', { version: 2, severity: 'MEDIUM', enabled: true, parameters: { maxRatio: -1 } });
      expect(problems).toEqual([expect.stringMatching(/^parameters\.maxRatio: Too small/)]);
      expect(book.candidate('nope', { version: 2, severity: 'MEDIUM', enabled: true, parameters: {} }).problems).toEqual(['no rule has the id "nope"']);
      // A refused candidate changes nothing.
      expect(book.rulesFor('XLON', 'VOD').find((r) => r.id === 'order-to-trade-ratio')?.parameters).toMatchObject({ maxRatio: 100 });
    });
  });
});
