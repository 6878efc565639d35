import { closeOfDay, computeCloseOfDay } from './venue-close';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('closeOfDay', () => {
  it.each([
    ['XLON in winter (GMT)', { close: '16:30', timeZone: 'Europe/London' }, '2026-01-15T10:00:00Z', '2026-01-15T16:30:00.000Z'],
    ['XLON in summer (BST)', { close: '16:30', timeZone: 'Europe/London' }, '2026-07-15T10:00:00Z', '2026-07-15T15:30:00.000Z'],
    ['XNYS in winter (EST)', { close: '16:00', timeZone: 'America/New_York' }, '2026-01-15T18:00:00Z', '2026-01-15T21:00:00.000Z'],
    ['XNYS in summer (EDT)', { close: '16:00', timeZone: 'America/New_York' }, '2026-07-15T18:00:00Z', '2026-07-15T20:00:00.000Z'],
    ['XETR in winter (CET)', { close: '17:30', timeZone: 'Europe/Berlin' }, '2026-01-15T09:00:00Z', '2026-01-15T16:30:00.000Z'],
    ['XETR in summer (CEST)', { close: '17:30', timeZone: 'Europe/Berlin' }, '2026-07-15T09:00:00Z', '2026-07-15T15:30:00.000Z'],
    // The US changed clocks on 8 March 2026 and Europe on 29 March: New York is 4 h behind UTC, London still 0.
    ['XNYS between the two clock changes', { close: '16:00', timeZone: 'America/New_York' }, '2026-03-20T15:00:00Z', '2026-03-20T20:00:00.000Z'],
    ['XLON on the day the clocks go forward', { close: '16:30', timeZone: 'Europe/London' }, '2026-03-29T09:00:00Z', '2026-03-29T15:30:00.000Z'],
    ['XNYS late evening UTC is still the New York day', { close: '16:00', timeZone: 'America/New_York' }, '2026-01-16T03:00:00Z', '2026-01-15T21:00:00.000Z'],
  ])('%s', (_name, venue, when, expected) => {
    expect(iso(closeOfDay(venue, at(when)))).toBe(expected);
  });
});

describe('closeOfDay memo', () => {
  // Every minute over three days around a clock change, in zones whose offsets are whole,
  // half and quarter hours: the per-quarter-hour memo must give what a fresh computation gives.
  it.each([
    ['America/New_York', '16:00', '2026-03-07T00:00:00Z'],
    ['Europe/London', '16:30', '2026-10-24T00:00:00Z'],
    ['Asia/Kolkata', '15:30', '2026-06-01T00:00:00Z'],
    ['Asia/Kathmandu', '15:00', '2026-06-01T00:00:00Z'],
    ['Pacific/Chatham', '16:00', '2026-04-04T00:00:00Z'],
  ])('agrees with the uncached close in %s', (timeZone, close, from) => {
    const venue = { timeZone, close };
    const start = at(from);
    const mismatches: string[] = [];
    for (let ms = start; ms < start + 3 * 86_400_000; ms += 60_000) {
      if (closeOfDay(venue, ms) !== computeCloseOfDay(venue, ms)) mismatches.push(iso(ms));
    }
    expect(mismatches).toEqual([]);
  });
});
