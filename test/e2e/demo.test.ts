/**
 * `slipway demo`, the README's first command, for real: its own sandbox with sample-service
 * processes, the engine's deploys, a load client process. Through the built ./bin/slipway as a user
 * runs it (HOME and KUBECONFIG pointing at an empty directory that must stay empty): once with
 * --output json (the summary; the process ends by itself), once with --keep (the text a user reads,
 * then the real kubectl reads the printed kubeconfig before Ctrl-C ends it), and once stopped by
 * Ctrl-C during the blue-green act.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoSummary } from '../../src/cli/demo/summary.js';
import { kubectl } from '../helpers/kube-tools.js';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const built = existsSync(join(repo, 'dist', 'cli', 'commands', 'demo.js'));
if (!built && process.env.CI === 'true')
  throw new Error('CI=true but dist/ is missing: npm test builds before running the tests');
if (!built)
  console.warn(
    '[skip] dist/ is not built with the demo command (npm run build): the ./bin/slipway demo tests are skipped',
  );

/** An empty HOME and KUBECONFIG location: the demo must neither need nor write them. */
const home = mkdtempSync(join(tmpdir(), 'slipway-demo-home-'));
const userEnv = { ...process.env, HOME: home, KUBECONFIG: join(home, '.kube', 'config') };
const kubectlCache = mkdtempSync(join(tmpdir(), 'slipway-demo-kubectl-'));
afterAll(() => [home, kubectlCache].forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('slipway demo', () => {
  describe.skipIf(!built)('./bin/slipway demo (built)', () => {
    it('v2 deployed blue-green under load with 0 failed requests, the broken v3 rolled back, v2 serving; exits 0 by itself and leaves HOME and KUBECONFIG alone', async () => {
      // execFile rejects on a non-zero exit: resolving is the exit 0.
      const r = await run(join(repo, 'bin', 'slipway'), ['demo', '--output', 'json'], {
        cwd: home,
        env: userEnv,
      });
      expect(r.stderr).toBe('');
      const summary = JSON.parse(r.stdout) as DemoSummary;
      console.log(
        `demo: ${JSON.stringify({ durationMs: summary.durationMs, blueGreenLoad: summary.blueGreenLoad, brokenLoad: summary.brokenLoad, lastBrokenAnswerMs: summary.lastBrokenAnswerMs, switchBackMs: summary.switchBackMs })}`,
      );
      expect(summary.problems).toEqual([]);
      expect(summary.passed).toBe(true);
      expect(summary.releases.map((r) => [r.version, r.revision, r.outcome])).toEqual([
        ['1.0.0', 1, 'deployed'],
        ['2.0.0', 2, 'deployed'],
        ['3.0.0', 3, 'rolled-back'],
      ]);
      expect(summary.releases[1]?.analysis).toEqual([
        expect.objectContaining({ name: 'smoke', phase: 'successful' }),
      ]);
      expect(summary.releases[2]?.analysis).toEqual([
        expect.objectContaining({ name: 'smoke', phase: 'failed' }),
      ]);
      // The load saw the switch: both versions answered v2's deploy, none of its requests failed.
      expect(summary.blueGreenLoad).toMatchObject({
        failed: 0,
        versions: { '1.0.0': expect.any(Number), '2.0.0': expect.any(Number) },
      });
      // The broken version did answer (with 500s) before the switch back; afterwards only v2 answers.
      expect(summary.brokenLoad?.versions['3.0.0']).toBeGreaterThan(0);
      expect(summary.brokenLoad?.errors).toEqual({
        'HTTP 500 from 3.0.0': summary.brokenLoad?.versions['3.0.0'],
      });
      expect(summary.lastBrokenAnswerMs).toEqual(expect.any(Number));
      expect(Object.keys(summary.servingAfter ?? {})).toEqual(['2.0.0']);
      expect(summary.history.map((h) => [h.revision, h.phase, h.images.web])).toEqual([
        [1, 'superseded', 'sample-service:1.0.0'],
        [2, 'deployed', 'sample-service:2.0.0'],
        [3, 'rolled-back', 'sample-service:3.0.0'],
      ]);
      expect(readdirSync(home)).toEqual([]);
    }, 120_000);

    it('--keep prints the step lists, the summary and the history table, then serves until Ctrl-C: kubectl reads the printed kubeconfig; SIGINT stops the sandbox and removes it', async () => {
      const child = spawn(join(repo, 'bin', 'slipway'), ['demo', '--keep'], {
        cwd: home,
        env: userEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      const kubeconfig = await new Promise<string>((res, rej) => {
        child.stderr.setEncoding('utf8').on('data', (c: string) => {
          stderr += c;
          const m = /kubectl --kubeconfig (\S+) get pods -A/.exec(stderr);
          if (m) res(m[1]!);
        });
        void exited.then((code) => rej(new Error(`exited ${code} before serving: ${stderr}`)));
      });
      expect(stdout).toMatch(/✓ switch\s+\S+\s+sample-web → green/);
      expect(stdout).toMatch(/✗ analyse\s+\S+\s+post-promotion analysis smoke failed/);
      expect(stdout).toMatch(/✓ switch\s+\S+\s+roll back to revision 2/);
      expect(stdout).toMatch(
        /\n {2}2\.0\.0 {2}revision 2 {2}deployed +\S+ {2}blue-green under load: [\d,]+ requests at [\d,]+\/s, 0 failed\n/,
      );
      expect(stdout).toMatch(
        /\n {2}3\.0\.0 {2}revision 3 {2}rolled-back +\S+ {2}smoke check failed after the switch; switched back to 2\.0\.0/,
      );
      expect(stdout).toMatch(
        /\n {2}rollback: the last 3\.0\.0 answer came -?\d+ ms after the failed check; 20 of 20 requests since answered 2\.0\.0\n/,
      );
      expect(stdout).toMatch(/\n3\s+\S+\s+rolled-back\s+blue-green\s+web=sample-service:3\.0\.0/);
      expect(stdout).toContain('\ndemo passed: ');
      const pods = await kubectl(
        ['--kubeconfig', kubeconfig, '--cache-dir', kubectlCache, 'get', 'pods', '-A', '-o', 'json'],
        { env: userEnv },
      );
      const items = (
        JSON.parse(pods.stdout) as {
          items: Array<{ metadata: { namespace: string; labels: Record<string, string> } }>;
        }
      ).items;
      expect(
        items.some(
          (p) =>
            p.metadata.namespace === 'sample' && p.metadata.labels['app.kubernetes.io/version'] === '2.0.0',
        ),
      ).toBe(true);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(existsSync(kubeconfig)).toBe(false);
      expect(readdirSync(home)).toEqual([]);
    }, 120_000);

    it('Ctrl-C during the blue-green act stops the load and the sandbox, removes its temporary files, and ends by the signal', async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'slipway-demo-tmp-'));
      const child = spawn(join(repo, 'bin', 'slipway'), ['demo'], {
        cwd: home,
        env: { ...userEnv, TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const exited = new Promise<NodeJS.Signals | number | null>((res) =>
        child.on('exit', (code, signal) => res(signal ?? code)),
      );
      await new Promise<void>((res, rej) => {
        child.stdout.setEncoding('utf8').on('data', (c: string) => {
          stdout += c;
          if (stdout.includes('\n2/3 ')) res();
        });
        void exited.then((code) => rej(new Error(`exited ${code} before the blue-green act: ${stderr}`)));
      });
      expect(readdirSync(tmp).sort()).toEqual([
        expect.stringMatching(/^slipway-demo-/),
        expect.stringMatching(/^slipway-sandbox-/),
      ]);
      child.kill('SIGINT');
      expect(await exited).toBe('SIGINT');
      expect(stderr).toContain('SIGINT: stopping the sandbox');
      expect(stdout).not.toContain('demo passed');
      expect(readdirSync(tmp)).toEqual([]);
      rmSync(tmp, { recursive: true, force: true });
    }, 120_000);
  });
});
