/** Quota days: a day starts at midnight in QUOTA_TIMEZONE, whatever the server's clock zone. */

/** One formatter per time zone and caller: building an Intl.DateTimeFormat costs far more than using one. */
export class Calendar {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    this.format = formatterFor(timeZone);
  }

  dayOf(at: number): string {
    return localTime(at, this.format).day;
  }

  nextDayStart(now: number): number {
    return nextDayStart(now, this.timeZone, this.format);
  }

  lastDays(now: number, count: number): string[] {
    return lastDays(now, this.timeZone, count, this.format);
  }
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

interface LocalTime {
  day: string;
  hour: number;
  minute: number;
  second: number;
}

function localTime(at: number, format: Intl.DateTimeFormat): LocalTime {
  const parts = format.formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    day: `${part('year')}-${part('month')}-${part('day')}`,
    hour: Number(part('hour')),
    minute: Number(part('minute')),
    second: Number(part('second')),
  };
}

/**
 * The calendar day of `at` in `timeZone`, as YYYY-MM-DD.
 * @internal
 */
export function dayOf(at: number, timeZone: string): string {
  return localTime(at, formatterFor(timeZone)).day;
}

/**
 * The moment the day after `now` begins in `timeZone` (ms), daylight-saving changes included.
 * @internal
 */
export function nextDayStart(now: number, timeZone: string, format = formatterFor(timeZone)): number {
  const local = localTime(now, format);
  const sinceMidnight = ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + (now % 1000);
  let guess = now - sinceMidnight + 86_400_000;
  // A day of 23 or 25 hours lands the guess an hour off midnight: step toward it (at most twice).
  for (let round = 0; round < 2; round += 1) {
    const at = localTime(guess, format);
    const off = ((at.hour * 60 + at.minute) * 60 + at.second) * 1000;
    if (off === 0) break;
    guess += at.hour >= 12 ? 86_400_000 - off : -off;
  }
  return guess;
}

/**
 * The `count` days up to and including the day of `now`, newest first.
 * @internal
 */
export function lastDays(now: number, timeZone: string, count: number, format = formatterFor(timeZone)): string[] {
  const days: string[] = [];
  // Half-day steps never skip a day (days are 23 to 25 hours long); bounded by 2 steps a day, plus one.
  for (let at = now, steps = 0; days.length < count && steps <= 2 * count + 1; at -= 43_200_000, steps += 1) {
    const day = localTime(at, format).day;
    if (days.at(-1) !== day) days.push(day);
  }
  return days;
}
