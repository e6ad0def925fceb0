/**
 * The offline commands must not load the cluster client: even bundled into one file
 * (dist/vendor/kubernetes-client-node.js, scripts/bundle-vendor.mjs) it costs about half a second of
 * start-up, and `slipway validate` has no use for it. Each command runs as users
 * run it (./bin/slipway from dist/) under a module-resolution hook that writes every module URL
 * the process resolves to a file; a static import that pulls the client back into one of these
 * commands' graphs makes this fail.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli, runBuilt, slipwayBin } from '../helpers/built-cli.js';

const built = builtCli('the import-graph test of the offline commands');
const dir = mkdtempSync(join(tmpdir(), 'slipway-imports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Runs in the loader thread (node --import): records each resolved URL, one a line.
const hook = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.SLIPWAY_IMPORT_TRACE, result.url + '\\\\n');
  return result;
}\`));
`)}`;

async function loadedModules(name: string, args: string[]): Promise<string[]> {
  const trace = join(dir, `${name}.txt`);
  const result = await runBuilt(['--import', hook, slipwayBin, ...args], {
    program: process.execPath,
    env: { SLIPWAY_IMPORT_TRACE: trace },
  });
  expect(result.stderr).not.toMatch(/internal error/);
  expect([0, 1], result.stderr).toContain(result.code);
  return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
}

const example = 'examples/sample-service/slipway.yaml';
const isCel = (url: string) => url.includes('/kube/dist/cel/') || url.includes('/@bufbuild/');
const offline: Array<[string, string[]]> = [
  ['version', ['--version']],
  ['validate', ['validate', '-f', example]],
  ['render', ['render', '-f', example, '--env', 'dev']],
  ['check', ['check', example]],
  ['schema', ['schema']],
  ['init', ['init', '--yes', '--name', 'demo', '-f', join(dir, 'init.yaml')]],
];

describe.skipIf(!built)(
  'offline commands leave the cluster client unloaded and load zod and yaml as one file each',
  () => {
    it.concurrent.each(offline)('slipway %s', async (name, args) => {
      const modules = await loadedModules(name, args);
      // The hook saw the CLI and a package it imports (so an empty trace cannot pass for a clean one).
      expect(modules.some((url) => url.includes('/dist/cli/main.js'))).toBe(true);
      // (`--version` answers before commander loads; the others show package imports are seen.)
      if (name !== 'version')
        expect(modules.some((url) => url.includes('/node_modules/commander/'))).toBe(true);
      const cluster = modules.filter(
        (url) => url.includes('/node_modules/@kubernetes/') || url.includes('/dist/vendor/kubernetes-client'),
      );
      expect(cluster.length, `loads ${cluster.slice(0, 3).join(', ')}`).toBe(0);
      // zod comes as one file without its translations (scripts/bundle-vendor.mjs), never as the
      // package's 120 modules; the spec commands do load it (so the check above is not vacuous).
      expect(modules.filter((url) => url.includes('/node_modules/zod/'))).toEqual([]);
      if (name !== 'version') expect(modules.some((url) => url.includes('/dist/vendor/zod.js'))).toBe(true);
      // The yaml library likewise: one file, never the package's 70 CommonJS files.
      expect(modules.filter((url) => url.includes('/node_modules/yaml/'))).toEqual([]);
      if (name !== 'version' && name !== 'schema')
        expect(modules.some((url) => url.includes('/dist/vendor/yaml.js'))).toBe(true);
      // The CEL evaluator (@slipway/kube/cel with @bufbuild/cel, protobuf and re2: about 130 modules)
      // loads only for a configuration with customRules (the test below shows it does then).
      if (name === 'check') expect(modules.filter(isCel).slice(0, 3)).toEqual([]);
      // A render of manifests loads its own writer only (src/cli/format-loaders.ts).
      if (name === 'render') {
        const writers = modules.filter((url) =>
          /\/dist\/(render\/(helm|kustomize|compose|workflows|runbooks|dashboards)|infra)\//.test(url),
        );
        expect(writers.slice(0, 3)).toEqual([]);
        expect(modules.some((url) => url.includes('/dist/cli/manifests-writer.js'))).toBe(true);
      }
    });
  },
);

describe.skipIf(!built)('slipway check loads the CEL evaluator for custom rules only', () => {
  it('with customRules in .slipway-check.yaml', async () => {
    const config = join(dir, 'custom-rules.yaml');
    writeFileSync(
      config,
      'customRules:\n  - id: team-label\n    kinds: [workloads]\n    expression: "true"\n    message: m\n',
    );
    const trace = join(dir, 'check-custom.txt');
    const result = await runBuilt(['--import', hook, slipwayBin, 'check', '--config', config, example], {
      program: process.execPath,
      env: { SLIPWAY_IMPORT_TRACE: trace },
    });
    expect([0, 1], result.stderr).toContain(result.code);
    const modules = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    expect(modules.some((url) => url.includes('/kube/dist/cel/index.js'))).toBe(true);
    expect(modules.some((url) => url.includes('/@bufbuild/cel/'))).toBe(true);
  });
});

describe.skipIf(!built)('cluster commands load the cluster client as one bundled file', () => {
  it('slipway history against a closed loopback port', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: c, context: {cluster: c, user: u, namespace: default}}]',
        'current-context: c',
      ].join('\n'),
    );
    const trace = join(dir, 'history.txt');
    const result = await runBuilt(['--import', hook, slipwayBin, 'history', '-f', example, '--env', 'dev'], {
      program: process.execPath,
      env: { SLIPWAY_IMPORT_TRACE: trace, KUBECONFIG: kubeconfig },
    });
    // It reached the client (the cluster is unreachable: exit 3, said plainly).
    expect(result.stderr).toMatch(/cannot reach the cluster/);
    const modules = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    // Each importer's resolution is one line; one file, however often it is named.
    const bundled = new Set(modules.filter((url) => url.includes('/dist/vendor/kubernetes-client-node.js')));
    expect(bundled.size).toBe(1);
    expect(modules.filter((url) => url.includes('/node_modules/@kubernetes/'))).toEqual([]);
  });
});
