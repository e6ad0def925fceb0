/**
 * `slipway demo`: a sandbox cluster in this process, the sample service deployed blue-green, a new
 * version under load, a broken one rolled back automatically, and a summary; exit 0 only when all
 * of that happened as it should. Needs nothing but Node: no Docker, no cluster, no kubeconfig (the
 * user's is never read or written). `--keep` leaves the sandbox serving until Ctrl-C. The
 * scenario itself is src/cli/demo/scenario.ts.
 */
import type { Command } from 'commander';
import { summarise, summaryText, type DemoSummary } from '../demo/summary.js';
import { DemoRun } from '../demo/scenario.js';
import { EXIT_FAILED, EXIT_OK } from '../../errors.js';
import { outputOption, parseOutput, type CommandContext, type RegisterCommand } from '../command.js';
import { historyTable } from './history.js';

interface DemoFlags {
  output?: string;
  keep?: boolean;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export const registerDemo: RegisterCommand = (program: Command, ctx: CommandContext) => {
  program
    .command('demo')
    .summary('sandbox demo: blue-green, automatic rollback')
    .description('run a local demo: blue-green, automatic rollback')
    .addOption(outputOption(['text', 'json'], 'text', 'text or json (a summary object)'))
    .option('--keep', 'keep the sandbox serving after the demo, with a kubeconfig for kubectl, until Ctrl-C')
    .action(async (flags: DemoFlags) => {
      ctx.exit(await runDemo(flags, ctx));
    });
};

async function runDemo(flags: DemoFlags, ctx: CommandContext): Promise<number> {
  const json = parseOutput(flags.output) === 'json';
  const write = (t: string) => ctx.io.out(t);
  const demo = new DemoRun({ write, tty: ctx.io.isTTY, quiet: json });
  // Ctrl-C while the demo runs: stop the load and the sandbox (its pods are processes), then let
  // the signal end the process as it would have. While --keep serves, Ctrl-C just ends the wait.
  let endKeep: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (endKeep) return endKeep();
    SIGNALS.forEach((s) => process.off(s, onSignal));
    ctx.io.err(`\n${signal}: stopping the sandbox…\n`);
    void demo.stop().finally(() => process.kill(process.pid, signal));
  };
  SIGNALS.forEach((s) => process.on(s, onSignal));
  const t0 = performance.now();
  try {
    if (!json)
      write('slipway demo: the sample service (examples/sample-service) in a local sandbox cluster\n');
    let summary: DemoSummary;
    try {
      summary = summarise(await demo.run(), Math.round(performance.now() - t0));
    } catch (err) {
      const message = `the demo failed while ${demo.act}: ${(err as Error).message}`;
      if (json) write(`${JSON.stringify({ passed: false, problems: [message] }, null, 2)}\n`);
      else ctx.io.err(`error: ${message}\n`);
      return EXIT_FAILED;
    }
    write(
      json
        ? `${JSON.stringify(summary, null, 2)}\n`
        : `\n${summaryText(summary)}\n${historyTable(summary.history)}\n${verdict(summary)}`,
    );
    if (flags.keep && demo.kubeconfig) {
      const serving = demo.record.service;
      ctx.io.err(
        `\nthe sandbox keeps serving until Ctrl-C:\n  kubectl --kubeconfig ${demo.kubeconfig} get pods -A\n${serving ? `  curl http://127.0.0.1:${serving.port}/\n` : ''}`,
      );
      await new Promise<void>((resolve) => (endKeep = resolve));
    }
    return summary.passed ? EXIT_OK : EXIT_FAILED;
  } finally {
    SIGNALS.forEach((s) => process.off(s, onSignal));
    // Pods deleted by the rollback are still in their preStop delay; stopping waits for them.
    if (!json && demo.kubeconfig) write('stopping the sandbox…\n');
    await demo.stop();
  }
}

function verdict(s: DemoSummary): string {
  if (s.passed)
    return `demo passed: ${s.releases.length} releases, no request lost in the blue-green deploy, the broken version rolled back by itself\n`;
  return `demo FAILED:\n${s.problems.map((p) => `  - ${p}`).join('\n')}\n`;
}
