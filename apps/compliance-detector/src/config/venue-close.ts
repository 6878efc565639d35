/** A venue's daily close: local wall-clock time in its IANA time zone. */
export interface VenueClose {
  close: string; // HH:MM
  timeZone: string;
}

/**
 * The close (epoch ms) of the venue's trading day that contains `atMs`, in the venue's
 * own time zone (Intl does the zone and daylight-saving arithmetic): the local date of
 * `atMs` at the close's local time.
 */
export function closeOfDay(venue: VenueClose, atMs: number): number {
  const [hour, minute] = venue.close.split(':').map(Number);
  const { year, month, day } = localParts(venue.timeZone, atMs);
  // Guess the instant as if the zone were UTC, then correct by the zone's offset at that instant
  // (twice, so a close right after a daylight-saving change lands on the right side).
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  let instant = asUtc - offsetMs(venue.timeZone, asUtc);
  instant = asUtc - offsetMs(venue.timeZone, instant);
  return instant;
}

function localParts(timeZone: string, ms: number) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** The zone's offset from UTC (ms, east positive) at the instant `ms`. */
function offsetMs(timeZone: string, ms: number): number {
  const p = localParts(timeZone, ms);
  const localAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return localAsUtc - (ms - (ms % 1000));
}
