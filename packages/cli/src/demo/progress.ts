import { formatInt } from '../format.js';

/** Where progress goes: stderr, and whether it is a terminal that can redraw a line. */
export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
}

const BAR_WIDTH = 30;
/** Redraws at most this often, so drawing never costs more than the work it reports. */
const REDRAW_MS = 100;

/**
 * Progress of a known amount of work: a redrawn bar on a terminal, otherwise one plain line per
 * 10 %, so logs of a CI run or `docker compose` stay readable.
 */
export class Progress {
  private lastDrawMs = 0;
  private lastDecile = 0;
  private done = 0;

  constructor(
    private readonly sink: ProgressSink,
    private readonly label: string,
    private readonly total: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Records `n` more units of work done. */
  advance(n: number): void {
    this.done = Math.min(this.total, this.done + n);
    const fraction = this.total === 0 ? 1 : this.done / this.total;
    if (this.sink.isTTY) {
      const now = this.nowMs();
      if (now - this.lastDrawMs >= REDRAW_MS || this.done === this.total) {
        this.lastDrawMs = now;
        const filled = Math.round(fraction * BAR_WIDTH);
        const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
        this.sink.write(`\r${this.label} ${bar} ${Math.floor(fraction * 100)}% ${formatInt(this.done)}/${formatInt(this.total)}`);
      }
      return;
    }
    const decile = Math.floor(fraction * 10);
    while (this.lastDecile < decile) {
      this.lastDecile++;
      this.sink.write(`${this.label}: ${this.lastDecile * 10}% (${formatInt(this.done)}/${formatInt(this.total)})\n`);
    }
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.sink.isTTY) this.sink.write('\n');
  }
}
