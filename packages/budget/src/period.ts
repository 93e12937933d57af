/** When budgets reset: a day of the month at midnight in a time zone. */
export interface PeriodOptions {
  /** Day of the month the period starts on, 1–28. Default: 1. */
  resetDay?: number;
  /** IANA time zone of the reset's midnight. Default: `UTC`. */
  timeZone?: string;
}

/** One budget period: [startMs, endMs). */
export interface Period {
  startMs: number;
  endMs: number;
}

/** Calendar parts of an instant in a time zone. */
function partsIn(formatter: Intl.DateTimeFormat, ms: number): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const out = { y: 0, m: 0, d: 0, h: 0, min: 0, s: 0 };
  for (const p of formatter.formatToParts(new Date(ms))) {
    if (p.type === 'year') out.y = Number(p.value);
    else if (p.type === 'month') out.m = Number(p.value);
    else if (p.type === 'day') out.d = Number(p.value);
    else if (p.type === 'hour') out.h = Number(p.value) % 24;
    else if (p.type === 'minute') out.min = Number(p.value);
    else if (p.type === 'second') out.s = Number(p.value);
  }
  return out;
}

/** Computes budget periods; immutable and cheap to query once built. */
export class PeriodCalendar {
  private readonly resetDay: number;
  private readonly formatter: Intl.DateTimeFormat;

  constructor(options: PeriodOptions = {}) {
    this.resetDay = options.resetDay ?? 1;
    this.formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: options.timeZone ?? 'UTC',
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The period that contains `ms`. */
  periodAt(ms: number): Period {
    const local = partsIn(this.formatter, ms);
    // Months are 0-based from here; the period starts this month or the previous one.
    let month = local.y * 12 + (local.m - 1);
    let start = this.resetInstant(month);
    if (start > ms) start = this.resetInstant(--month);
    return { startMs: start, endMs: this.resetInstant(month + 1) };
  }

  /** The UTC instant of local midnight on the reset day of `month` (years × 12 + month index). */
  private resetInstant(month: number): number {
    const y = Math.floor(month / 12);
    const m = month - y * 12;
    const wallClock = Date.UTC(y, m, this.resetDay);
    // The zone's offset at the guessed instant, applied twice to settle across DST changes.
    let guess = wallClock;
    for (let i = 0; i < 2; i++) {
      const p = partsIn(this.formatter, guess);
      const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s);
      guess += wallClock - asUtc;
    }
    return guess;
  }
}
