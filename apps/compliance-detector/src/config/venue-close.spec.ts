import { closeOfDay } from './venue-close';

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
