import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const fixtures = resolve(import.meta.dirname, '..', 'fixtures', 'policy');

async function run(args: string[], opts: { cwd?: string; stdin?: string } = {}) {
  const io = memoryIo({ cwd: opts.cwd ?? fixtures, stdin: opts.stdin });
  const code = await main(['node', 'slipway', 'check', ...args], io.io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('slipway check (in-process)', () => {
  it('passes a hardened workload with no finding at warning or above (exit 0)', async () => {
    const r = await run(['clean.yaml', '--fail-on', 'warning', '-o', 'json']);
    const report = JSON.parse(r.out) as { findings: Array<{ severity: string; rule: string }> };
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('reports a privileged pod at file:line:col of the offending field and exits 1', async () => {
    const r = await run(['privileged.yaml']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('privileged.yaml:10:9');
    expect(r.out).toContain('[pss-privileged]');
    expect(r.out).toMatch(/Pod debug/);
  });

  it('prints JSON findings with rule, severity, file, line, column, object and message', async () => {
    const r = await run(['privileged.yaml', '-o', 'json']);
    const report = JSON.parse(r.out) as { findings: Array<Record<string, unknown>> };
    const f = report.findings.find((x) => x.rule === 'pss-privileged');
    expect(f).toMatchObject({
      rule: 'pss-privileged',
      severity: 'error',
      file: 'privileged.yaml',
      line: 10,
      column: 9,
      object: { kind: 'Pod', name: 'debug' },
      container: 'shell',
    });
    expect(typeof f?.message).toBe('string');
  });

  it('--profile pss-restricted runs only PSS checks; exit follows admission', async () => {
    const r = await run(['clean.yaml', '--profile', 'pss-restricted', '-o', 'json']);
    expect(JSON.parse(r.out).findings).toEqual([]);
    expect(r.code).toBe(0);
    const bad = await run(['privileged.yaml', '--profile', 'pss-baseline', '-o', 'json']);
    expect((JSON.parse(bad.out).findings as Array<{ rule: string }>).map((f) => f.rule)).toEqual([
      'pss-privileged',
    ]);
    expect(bad.code).toBe(1);
  });

  it('reads stdin with -, and reports bad YAML as file:line:col with exit 2', async () => {
    const ok = await run(['-'], {
      stdin:
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  containers: [{name: a, image: x:1}]\n',
    });
    expect(ok.out).toContain('<stdin>:5:3');
    const bad = await run(['-'], { stdin: 'apiVersion: v1\nkind: [Pod\n' });
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/<stdin>:\d+:\d+: invalid YAML/);
  });

  it('walks directories and exits 2 for a missing path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-check-'));
    writeFileSync(
      join(dir, 'a.yml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {DB_PASSWORD: hunter2hunter2}\n',
    );
    writeFileSync(join(dir, 'notes.txt'), 'not yaml: [');
    const r = await run(['.', '-o', 'json'], { cwd: dir });
    expect(
      (JSON.parse(r.out).findings as Array<{ rule: string; file: string }>).map((f) => `${f.rule}@${f.file}`),
    ).toEqual(['secret-in-configmap@a.yml']);
    const missing = await run(['nope.yaml'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.yaml: no such file or directory');
  });

  it('lists the catalog as JSON with id, severity, category, rationale, remediation and checks', async () => {
    const r = await run(['--list-rules', '-o', 'json']);
    const rules = JSON.parse(r.out) as Array<Record<string, unknown>>;
    expect(rules.length).toBeGreaterThan(50);
    for (const rule of rules)
      for (const k of ['id', 'severity', 'category', 'rationale', 'remediation', 'checks'])
        expect(rule[k], `${String(rule.id)}.${k}`).toBeTruthy();
  });

  it('rejects an unknown output format with exit 2', async () => {
    const r = await run(['clean.yaml', '-o', 'xml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--output must be one of');
  });
});

describe('text colour', () => {
  it('colours severities only on a terminal, and never with NO_COLOR', async () => {
    const tty = memoryIo({ cwd: fixtures });
    await main(['node', 'slipway', 'check', 'privileged.yaml'], { ...tty.io, isTTY: true });
    expect(tty.stdout()).toContain('\x1b[31merror');
    const noColor = memoryIo({ cwd: fixtures, env: { NO_COLOR: '1' } });
    await main(['node', 'slipway', 'check', 'privileged.yaml'], { ...noColor.io, isTTY: true });
    expect(noColor.stdout()).not.toContain('\x1b[');
    const pipe = await run(['privileged.yaml']);
    expect(pipe.out).not.toContain('\x1b[');
  });
});
