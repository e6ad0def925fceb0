/**
 * The deploy's step list for people. On a terminal each step shows as it starts (`▸ roll-out …`)
 * and its line is rewritten in place with the outcome and duration when it ends; elsewhere (CI
 * logs, pipes) only finished steps are printed, one line each, so logs hold no control codes.
 */
import type { DeployEvent } from '../../engine/context.js';

const MARK = { ok: '✓', failed: '✗', skipped: '-' } as const;
const UP_AND_CLEAR = '\x1b[1A\r\x1b[2K';

export function stepLine(e: Extract<DeployEvent, { type: 'step' }>): string {
  const mark = e.status === 'started' ? '▸' : MARK[e.status];
  const time =
    e.durationMs !== undefined ? ` ${(e.durationMs / 1000).toFixed(1)}s` : e.status === 'started' ? ' …' : '';
  return `${mark} ${e.step.padEnd(12)}${time}${e.detail ? `  ${e.detail}` : ''}\n`;
}

export function textProgress(write: (text: string) => void, tty: boolean): (e: DeployEvent) => void {
  // The started line is rewritten only if nothing was printed after it.
  let openStep: string | undefined;
  return (e) => {
    if (e.type === 'step') {
      if (e.status === 'started') {
        if (!tty) return;
        write(stepLine(e));
        openStep = e.step;
        return;
      }
      write(`${tty && openStep === e.step ? UP_AND_CLEAR : ''}${stepLine(e)}`);
      openStep = undefined;
      return;
    }
    openStep = undefined;
    if (e.type === 'message') write(`  ${e.level === 'warn' ? 'warning: ' : ''}${e.text}\n`);
    else
      write(
        `    ${e.analysis} #${e.index + 1}: ${e.measurement.phase} (${e.measurement.message.split('\n')[0]})\n`,
      );
  };
}
