/**
 * Runs fuzz cases in a worker thread under a watchdog: a case that does not answer within
 * `watchdogMs` is a hang, the worker is terminated (which stops even a synchronous loop) and the
 * next case gets a fresh one. The watchdog is generous on purpose: it catches hangs, not slowness.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { CaseOutcome } from './front-door.js';

export interface TimedOutcome extends CaseOutcome {
  ms: number;
}

export class FuzzRunner {
  private readonly dir = mkdtempSync(join(tmpdir(), 'slipway-fuzz-'));
  private worker: Worker | undefined;

  constructor(private readonly watchdogMs: number) {}

  async run(text: string): Promise<TimedOutcome> {
    const worker = (this.worker ??= new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { dir: this.dir },
    }));
    const start = performance.now();
    const outcome = await new Promise<CaseOutcome>((resolve) => {
      const done = (o: CaseOutcome) => {
        clearTimeout(timer);
        worker.off('message', done);
        worker.off('error', failed);
        resolve(o);
      };
      const failed = (error: Error) => {
        this.worker = undefined;
        done({ failures: [`the worker died: ${error.stack ?? error.message}`], codes: '' });
      };
      const timer = setTimeout(() => {
        this.worker = undefined;
        void worker.terminate();
        done({ failures: [`no answer within ${this.watchdogMs / 1000} s: a hang`], codes: '' });
      }, this.watchdogMs);
      worker.on('message', done);
      worker.on('error', failed);
      worker.postMessage(text);
    });
    return { ...outcome, ms: performance.now() - start };
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
