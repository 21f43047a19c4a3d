/** Small display helpers: countdowns and dates. Pure, so they are easy to test. */
import { S } from './strings.js';

/** "4 min 05 s": fixed-width parts so a ticking countdown never moves the layout. */
export function formatCountdown(expiresAt: number | undefined, now: number): string {
  if (expiresAt === undefined) return S.countdown.unknown;
  const left = Math.floor((expiresAt - now) / 1000);
  if (left <= 0) return S.countdown.expired;
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  const seconds = left % 60;
  if (hours > 0) return S.countdown.hours(hours, minutes);
  if (minutes > 0) return S.countdown.minutes(minutes, seconds);
  return S.countdown.seconds(seconds);
}

export function formatTime(epochMs: number | undefined): string {
  if (epochMs === undefined) return S.countdown.unknown;
  return new Date(epochMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The file name of a program path, POSIX or Windows ("/usr/bin/curl" -> "curl", "C:\\Tools\\x.exe" -> "x.exe"). */
export function baseName(path: string): string {
  const name = path.split(/[\\/]/).filter(Boolean).at(-1);
  return name ?? path;
}

/** A local date and time a person reads at a glance ("Dec 2, 2026, 10:24 AM"), in the computer's own time zone and language. */
export function localDateTime(epochMs: number): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(epochMs);
}
