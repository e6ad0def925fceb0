/**
 * `slipway sandbox up --detach | status | down` in-process (the daemon is a real child process),
 * with a kubeconfig that already holds another context, which must survive.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { isAlive } from '@slipway/sandbox';
import { kubectl } from '../helpers/kube-tools.js';

const execFileP = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'slipway-sandbox-cli-'));
const kubeconfig = join(dir, 'kube', 'config');
const env = { HOME: dir, KUBECONFIG: kubeconfig, SLIPWAY_SANDBOX_HOME: join(dir, 'state') };

afterAll(async () => {
  await main(['node', 'slipway', 'sandbox', 'down'], memoryIo({ env }).io);
  rmSync(dir, { recursive: true, force: true });
});

const OTHER = `apiVersion: v1
kind: Config
clusters: [{name: prod, cluster: {server: "https://prod.example.com:6443"}}]
users: [{name: prod, user: {token: keep-me}}]
contexts: [{name: prod, context: {cluster: prod, user: prod}}]
current-context: prod
`;

describe('slipway sandbox', () => {
  it('starts detached, merges the kubeconfig, reports status and stops', async () => {
    mkdirSync(join(dir, 'kube'), { recursive: true });
    writeFileSync(kubeconfig, OTHER);

    const upIo = memoryIo({ env, cwd: dir });
    expect(
      await main(
        [
          'node',
          'slipway',
          'sandbox',
          'up',
          '--detach',
          '--no-runtime',
          '--audit-log',
          'audit.jsonl',
          '--output',
          'json',
        ],
        upIo.io,
      ),
    ).toBe(0);
    const started = JSON.parse(upIo.stdout()) as {
      url: string;
      pid: number;
      context: string;
      auditLog: string;
    };
    expect(started.context).toBe('slipway-sandbox');
    expect(started.auditLog).toBe(join(dir, 'audit.jsonl'));
    expect(isAlive(started.pid)).toBe(true);

    const config = parse(readFileSync(kubeconfig, 'utf8'));
    expect(config['current-context']).toBe('slipway-sandbox');
    expect(config.contexts.map((c: { name: string }) => c.name).sort()).toEqual(['prod', 'slipway-sandbox']);
    expect(config.users.find((u: { name: string }) => u.name === 'prod').user.token).toBe('keep-me');

    const nodes = await kubectl(['get', 'nodes', '--cache-dir', join(dir, 'cache')], { env });
    expect(nodes.stdout).toMatch(/sandbox-node\s+Ready/);

    const again = memoryIo({ env });
    expect(await main(['node', 'slipway', 'sandbox', 'up', '--detach'], again.io)).toBe(1);
    expect(again.stderr()).toContain('already running');

    const statusIo = memoryIo({ env });
    expect(await main(['node', 'slipway', 'sandbox', 'status', '--output', 'json'], statusIo.io)).toBe(0);
    const status = JSON.parse(statusIo.stdout());
    expect(status).toMatchObject({ running: true, url: started.url, pid: started.pid, services: [] });

    const downIo = memoryIo({ env });
    expect(await main(['node', 'slipway', 'sandbox', 'down'], downIo.io)).toBe(0);
    expect(downIo.stdout()).toContain('stopped');
    expect(isAlive(started.pid)).toBe(false);
    // The detached sandbox wrote kubectl's requests to its audit log, flushed when it stopped.
    const audit = readFileSync(started.auditLog, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(audit).toContainEqual(
      expect.objectContaining({
        apiVersion: 'audit.k8s.io/v1',
        stage: 'ResponseComplete',
        verb: 'list',
        objectRef: { resource: 'nodes', apiVersion: 'v1' },
        userAgent: expect.stringMatching(/^kubectl\//) as unknown,
        responseStatus: { metadata: {}, code: 200 },
      }),
    );
    const after = parse(readFileSync(kubeconfig, 'utf8'));
    expect(after.contexts.map((c: { name: string }) => c.name)).toEqual(['prod']);

    const badLog = memoryIo({ env, cwd: dir });
    expect(
      await main(
        ['node', 'slipway', 'sandbox', 'up', '--detach', '--audit-log', 'no/such/dir/a.jsonl'],
        badLog.io,
      ),
    ).toBe(2);
    expect(badLog.stderr()).toContain('the folder of the audit log no/such/dir/a.jsonl does not exist');
    expect(badLog.stderr()).toContain('--audit-log');

    const gone = memoryIo({ env });
    expect(await main(['node', 'slipway', 'sandbox', 'status'], gone.io)).toBe(1);
    expect(gone.stdout()).toContain('No sandbox is running');
  });
});

const built = existsSync(join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js'));

describe.skipIf(!built)('./bin/slipway sandbox (after npm run build)', () => {
  it('serves in the foreground until SIGTERM, then removes its state and context', async () => {
    const home = mkdtempSync(join(tmpdir(), 'slipway-sandbox-bin-'));
    const binEnv = {
      ...process.env,
      HOME: home,
      KUBECONFIG: join(home, 'config'),
      SLIPWAY_SANDBOX_HOME: join(home, 'state'),
    };
    const child = spawn(
      join(import.meta.dirname, '..', '..', 'bin', 'slipway'),
      ['sandbox', 'up', '--no-runtime'],
      { env: binEnv },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      for (let i = 0; i < 150 && !out.includes('Serving in the foreground'); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('context "slipway-sandbox" written to');
      const ns = await kubectl(['get', 'ns', 'default', '--cache-dir', join(home, 'cache')], { env: binEnv });
      expect(ns.stdout).toMatch(/default\s+Active/);
      const status = await execFileP(
        join(import.meta.dirname, '..', '..', 'bin', 'slipway'),
        ['sandbox', 'status', '--output', 'json'],
        { env: binEnv },
      );
      expect(JSON.parse(status.stdout)).toMatchObject({ running: true, pid: child.pid });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(existsSync(join(home, 'state', 'sandbox.json'))).toBe(false);
    expect(parse(readFileSync(join(home, 'config'), 'utf8')).contexts).toEqual([]);
    rmSync(home, { recursive: true, force: true });
  });
});

describe('slipway sandbox up errors', () => {
  it('reports a busy port and an unreadable data dir as user errors', async () => {
    const home = mkdtempSync(join(tmpdir(), 'slipway-sandbox-err-'));
    const errEnv = {
      HOME: home,
      KUBECONFIG: join(home, 'config'),
      SLIPWAY_SANDBOX_HOME: join(home, 'state'),
    };
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const busy = memoryIo({ env: errEnv, cwd: home });
      expect(
        await main(['node', 'slipway', 'sandbox', 'up', '--no-runtime', '--port', String(port)], busy.io),
      ).toBe(1);
      expect(busy.stderr()).toContain(`port ${port} on 127.0.0.1 is already in use`);
      const detached = memoryIo({ env: errEnv, cwd: home });
      expect(
        await main(
          ['node', 'slipway', 'sandbox', 'up', '--detach', '--no-runtime', '--port', String(port)],
          detached.io,
        ),
      ).toBe(1);
      expect(detached.stderr()).toContain(`--port: port ${port} on 127.0.0.1 is already in use`);
      expect(detached.stderr()).toContain('hint: choose another port');
      expect(detached.stderr()).not.toContain('    at ');
      // -o is --output, as in every other command.
      const none = memoryIo({ env: errEnv, cwd: home });
      expect(await main(['node', 'slipway', 'sandbox', 'status', '-o', 'json'], none.io)).toBe(1);
      expect(JSON.parse(none.stdout())).toEqual({ running: false, others: [] });
      const badPort = memoryIo({ env: errEnv, cwd: home });
      expect(await main(['node', 'slipway', 'sandbox', 'up', '--port', 'abc'], badPort.io)).toBe(2);
      expect(badPort.stderr()).toContain('--port: expected a number from 0 to 65535, got "abc"');
      mkdirSync(join(home, 'data'));
      writeFileSync(join(home, 'data', 'objects.json'), '{not json');
      const corrupt = memoryIo({ env: errEnv, cwd: home });
      expect(
        await main(['node', 'slipway', 'sandbox', 'up', '--no-runtime', '--data-dir', 'data'], corrupt.io),
      ).toBe(2);
      expect(corrupt.stderr()).toContain('cannot restore the sandbox from');
      expect(corrupt.stderr()).not.toContain('internal error');
    } finally {
      blocker.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('keys sandboxes by data directory: two run side by side, status and down name which (--data-dir)', async () => {
    const [a, b] = [join(dir, 'project-a'), join(dir, 'project-b')];
    const up = async (data: string) => {
      const io = memoryIo({ env, cwd: dir });
      const args = [
        'node',
        'slipway',
        'sandbox',
        'up',
        '--detach',
        '--no-runtime',
        '--data-dir',
        data,
        '-o',
        'json',
      ];
      expect(await main(args, io.io), io.stderr()).toBe(0);
      return JSON.parse(io.stdout()) as { url: string; pid: number };
    };
    const first = await up(a);
    const second = await up(b);
    expect(second.pid).not.toBe(first.pid);

    const statusOf = async (data?: string) => {
      const io = memoryIo({ env, cwd: dir });
      const code = await main(
        ['node', 'slipway', 'sandbox', 'status', '-o', 'yaml', ...(data ? ['--data-dir', data] : [])],
        io.io,
      );
      return {
        code,
        status: parse(io.stdout()) as { running: boolean; pid?: number; others: Array<{ pid: number }> },
      };
    };
    expect(await statusOf(a)).toMatchObject({
      code: 0,
      status: { running: true, pid: first.pid, others: [{ pid: second.pid }] },
    });
    expect(await statusOf(b)).toMatchObject({ code: 0, status: { running: true, pid: second.pid } });
    // None started without --data-dir: the default is not running, and the others are named.
    const none = await statusOf();
    expect(none.code).toBe(1);
    expect(none.status.others.map((o) => o.pid).sort()).toEqual([first.pid, second.pid].sort());

    const downIo = memoryIo({ env, cwd: dir });
    expect(await main(['node', 'slipway', 'sandbox', 'down', '--data-dir', a], downIo.io)).toBe(0);
    expect(isAlive(first.pid)).toBe(false);
    expect(isAlive(second.pid)).toBe(true);
    // The context points at the second sandbox (started last): stopping the first leaves it.
    expect(parse(readFileSync(kubeconfig, 'utf8')).contexts.map((c: { name: string }) => c.name)).toContain(
      'slipway-sandbox',
    );
    expect(
      await main(['node', 'slipway', 'sandbox', 'down', '--data-dir', b], memoryIo({ env, cwd: dir }).io),
    ).toBe(0);
    expect(isAlive(second.pid)).toBe(false);
  });
});
