/**
 * Every time the CLI prints goes through here. A time comes from a server
 * (expires_in), a file or a vault written by another version, so it can be
 * anything: `toISOString` throws a RangeError past the year 275760, and one
 * such account must not make `list` fail for all the others. A time that
 * cannot be shown, or that no real expiry can be (before 1970 or after the
 * year 9999), is unknown.
 */

/** 9999-12-31T23:59:59.999Z: beyond it, an expiry is a server's mistake, not a date. */
const LATEST_SHOWN_MS = 253_402_300_799_999;

function showable(epochMs: number | undefined): epochMs is number {
  return typeof epochMs === 'number' && Number.isFinite(epochMs) && epochMs >= 0 && epochMs <= LATEST_SHOWN_MS;
}

/** ISO 8601 in UTC (for JSON and tables), or undefined when unknown. */
export function isoTime(epochMs: number | undefined): string | undefined {
  return showable(epochMs) ? new Date(epochMs).toISOString() : undefined;
}

/** The local date and time (for sentences a person reads), or undefined when unknown. */
export function localDateTime(epochMs: number | undefined): string | undefined {
  return showable(epochMs) ? new Date(epochMs).toLocaleString() : undefined;
}

/** The local time of day, or undefined when unknown. */
export function localTimeOfDay(epochMs: number | undefined): string | undefined {
  return showable(epochMs) ? new Date(epochMs).toLocaleTimeString() : undefined;
}

/** Whole seconds from `now` until `epochMs` (never negative), or undefined when unknown. */
export function secondsUntil(epochMs: number | undefined, now: number): number | undefined {
  return showable(epochMs) ? Math.max(0, Math.floor((epochMs - now) / 1000)) : undefined;
}
