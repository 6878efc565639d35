/** A venue's daily close: local wall-clock time in its IANA time zone. */
export interface VenueClose {
  close: string; // HH:MM
  timeZone: string;
}

/**
 * The close (epoch ms) of the venue's trading day that contains `atMs`, in the venue's
 * own time zone (Intl does the zone and daylight-saving arithmetic): the local date of
 * `atMs` at the close's local time.
 *
 * MARKING_THE_CLOSE asks this for every completed trade, and building Intl formatters was a
 * third of the detector's CPU; so formatters are kept per zone and answers per quarter hour:
 * every zone offset and daylight-saving change in use falls on a quarter hour, so the local
 * date (hence the close) cannot change inside one.
 */
export function closeOfDay(venue: VenueClose, atMs: number): number {
  const key = `${venue.timeZone} ${venue.close}`;
  let byQuarter = closes.get(key);
  if (!byQuarter) closes.set(key, (byQuarter = new Map()));
  const quarter = Math.floor(atMs / QUARTER_HOUR_MS);
  const known = byQuarter.get(quarter);
  if (known !== undefined) return known;
  const close = computeCloseOfDay(venue, atMs);
  if (byQuarter.size >= MAX_QUARTERS_PER_VENUE) byQuarter.clear(); // a replay of years stays bounded
  byQuarter.set(quarter, close);
  return close;
}

const QUARTER_HOUR_MS = 15 * 60_000;
const MAX_QUARTERS_PER_VENUE = 4096;
const closes = new Map<string, Map<number, number>>();
const formatters = new Map<string, Intl.DateTimeFormat>();

/** closeOfDay without the memo (what the memo must always agree with). */
export function computeCloseOfDay(venue: VenueClose, atMs: number): number {
  const [hour, minute] = venue.close.split(':').map(Number);
  const { year, month, day } = localParts(venue.timeZone, atMs);
  // Guess the instant as if the zone were UTC, then correct by the zone's offset at that instant
  // (twice, so a close right after a daylight-saving change lands on the right side).
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  let instant = asUtc - offsetMs(venue.timeZone, asUtc);
  instant = asUtc - offsetMs(venue.timeZone, instant);
  return instant;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function localParts(timeZone: string, ms: number) {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** The zone's offset from UTC (ms, east positive) at the instant `ms`. */
function offsetMs(timeZone: string, ms: number): number {
  const p = localParts(timeZone, ms);
  const localAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return localAsUtc - (ms - (ms % 1000));
}
