/** A sandbox Clock that only moves when a test says so, for progress deadlines, probes and backoff. */
import type { Clock } from '../src/types.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.t = start;
  }

  now(): Date {
    return new Date(this.t);
  }

  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter((x) => x !== timer)) };
  }

  /** Fires due timers in time order, running `between` (e.g. letting queued work settle) after each. */
  async advance(ms: number, between: () => Promise<void> = async () => {}): Promise<void> {
    const end = this.t + ms;
    await between();
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
      await between();
    }
    this.t = end;
    await between();
  }

  pending(): number {
    return this.timers.length;
  }
}
