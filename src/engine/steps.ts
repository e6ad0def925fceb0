/**
 * Runs the deploy's named steps, timing each one into the release record and announcing it, so
 * the progress display, the JSON events and `slipway history` all show the same step list.
 */
import type { EngineContext } from './context.js';
import type { StepName } from './plan/types.js';
import type { StepTiming } from './releases/release.js';

export class StepRecorder {
  readonly timings: StepTiming[] = [];

  constructor(private readonly ctx: EngineContext) {}

  async run<T>(step: StepName, fn: () => Promise<T>, detail?: string): Promise<T> {
    const started = this.ctx.clock.now();
    const t0 = performance.now();
    this.ctx.emit({ type: 'step', step, status: 'started', at: started.toISOString(), detail });
    this.ctx.checkpoint?.(`${step}:started`);
    const finish = (outcome: 'ok' | 'failed', text?: string): void => {
      const durationMs = Math.round(performance.now() - t0);
      const finishedAt = this.ctx.clock.now().toISOString();
      this.timings.push({
        step,
        startedAt: started.toISOString(),
        finishedAt,
        durationMs,
        outcome,
        ...(text ? { detail: text } : {}),
      });
      this.ctx.emit({
        type: 'step',
        step,
        status: outcome,
        at: finishedAt,
        durationMs,
        ...(text ? { detail: text } : {}),
      });
    };
    try {
      const result = await fn();
      finish('ok', detail);
      this.ctx.checkpoint?.(`${step}:ok`);
      return result;
    } catch (err) {
      finish('failed', (err as Error).message.split('\n')[0]);
      throw err;
    }
  }

  skip(step: StepName, reason: string): void {
    const at = this.ctx.clock.now().toISOString();
    this.timings.push({ step, startedAt: at, outcome: 'skipped', detail: reason });
    this.ctx.emit({ type: 'step', step, status: 'skipped', at, detail: reason });
  }
}
