/**
 * The offline commands must not load the cluster client: even bundled into one file
 * (dist/vendor/kubernetes-client-node.js, scripts/bundle-vendor.mjs) it costs about half a second of
 * start-up, and `slipway validate` has no use for it. Each command runs from dist/ under a
 * module-resolution hook that writes every module URL the process resolves, and every require(),
 * to a file; a static import that pulls the client back into one of these commands' graphs makes
 * this fail.
 *
 * ./bin/slipway runs the offline commands (init, validate, schema, render, check) from one bundled
 * script with V8 code caches (dist/cli/offline.cjs, scripts/bundle-offline.mjs) and every other
 * command from another that holds them all (dist/cli/cli.cjs); dist/'s ES modules run when there is
 * no script. Both are held here: the modules' graphs by running dist/cli/main.js itself, the
 * scripts by the lists of files the build joined into them, by what a run of them loads (Node's
 * own modules only), and by their output, which must be the modules' byte for byte.
 */
import { builtinModules } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli, repoRoot, runBuilt, slipwayBin, type CliResult } from '../helpers/built-cli.js';
import { startBrokenCluster } from '../helpers/broken-clusters.js';

const built = builtCli('the import-graph test of the offline commands');
const dir = mkdtempSync(join(tmpdir(), 'slipway-imports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// node --import: the resolve hook runs in the loader thread and records each resolved URL, one a
// line; in the main thread, every require() is recorded as `require <name>`.
const hook = `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.SLIPWAY_IMPORT_TRACE, result.url + '\\\\n');
  return result;
}\`));
const load = Module._load;
Module._load = function (request, ...rest) {
  appendFileSync(process.env.SLIPWAY_IMPORT_TRACE, 'require ' + request + '\\n');
  return load.call(this, request, ...rest);
};
`)}`;

/**
 * The require() half of `hook` alone: the modules' side of a script-against-modules comparison
 * needs only what it required, and the resolve hook's thread slows the loading of ~300 modules.
 */
const requireHook = `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
import Module from 'node:module';
const load = Module._load;
Module._load = function (request, ...rest) {
  appendFileSync(process.env.SLIPWAY_IMPORT_TRACE, 'require ' + request + '\\n');
  return load.call(this, request, ...rest);
};
`)}`;

/** dist/cli/main.js run directly: the ES modules every command but the offline ones runs from. */
const modulesMain = `const { main } = await import(${JSON.stringify(join(repoRoot, 'dist', 'cli', 'main.js'))});
process.exitCode = await main(process.argv);`;

/** One run, as users run it (bin) or from the ES modules; its output and what it loaded. */
async function traced(
  name: string,
  args: string[],
  via: 'bin' | 'modules',
): Promise<CliResult & { modules: string[] }> {
  const trace = join(dir, `${name}-${via}.txt`);
  const start = via === 'bin' ? [slipwayBin] : ['--input-type=module', '-e', modulesMain, 'slipway'];
  const result = await runBuilt(['--import', hook, ...start, ...args], {
    program: process.execPath,
    env: { SLIPWAY_IMPORT_TRACE: trace },
  });
  expect(result.stderr).not.toMatch(/internal error/);
  expect([0, 1], result.stderr).toContain(result.code);
  return { ...result, modules: readFileSync(trace, 'utf8').split('\n').filter(Boolean) };
}

/**
 * As traced, for a command line that may fail (exit 2 with a message is what some of them check);
 * from the modules, only the require() calls are recorded.
 */
async function tracedAny(
  name: string,
  args: string[],
  via: 'bin' | 'modules',
): Promise<CliResult & { modules: string[] }> {
  const trace = join(dir, `${name.replace(/\W+/g, '-')}-${via}.txt`);
  const start =
    via === 'bin'
      ? ['--import', hook, slipwayBin]
      : ['--import', requireHook, '--input-type=module', '-e', modulesMain, 'slipway'];
  const result = await runBuilt([...start, ...args], {
    program: process.execPath,
    env: { SLIPWAY_IMPORT_TRACE: trace },
  });
  expect(result.stderr).not.toMatch(/internal error/);
  return { ...result, modules: readFileSync(trace, 'utf8').split('\n').filter(Boolean) };
}

async function loadedModules(name: string, args: string[]): Promise<string[]> {
  return (await traced(name, args, 'modules')).modules.filter((line) => !line.startsWith('require '));
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
      // `--version` answers from package.json: none of the vendored libraries (yaml, zod, js-yaml).
      if (name === 'version') expect(modules.filter((url) => url.includes('/dist/vendor/'))).toEqual([]);
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

const scriptBuilt =
  built && ['offline.cjs', 'cli.cjs'].every((script) => existsSync(join(repoRoot, 'dist', 'cli', script)));
// A cluster that cannot be reached: a loopback port nothing listens on (test/helpers/broken-clusters.ts).
const refused = await startBrokenCluster('refused');
afterAll(() => refused.stop());
const kubeconfig = refused.kubeconfig;
const bad = join(dir, 'bad.yaml');
writeFileSync(bad, 'app: demo\nservices:\n  api:\n    image: nginx\n    replicas: many\n');
// check's inputs that load a package the script imports as an ES module: Terraform (web-tree-sitter)
// and a configuration with customRules (the CEL evaluator).
const terraform = join(dir, 'tf');
mkdirSync(terraform);
writeFileSync(
  join(terraform, 'main.tf'),
  'resource "aws_db_instance" "db" {\n  storage_encrypted = false\n  publicly_accessible = true\n}\n',
);
const teamRule = join(dir, 'team-rule.yaml');
writeFileSync(
  teamRule,
  'customRules:\n  - id: team-label\n    kinds: [workloads]\n    expression: "has(object.metadata.labels.team)"\n    message: needs a team label\n',
);
/** Offline command lines, good and bad: bin/slipway runs them from the script. */
const scripted: Array<[string, string[]]> = [
  ['validate', ['validate', '-f', example]],
  ['render', ['render', '-f', example, '--env', 'dev']],
  ['schema', ['schema']],
  ['validate of a bad spec', ['validate', '-f', bad]],
  ['validate --help', ['validate', '--help']],
  ['check', ['check', example]],
  ['check -o json of a failing manifest', ['check', '-o', 'json', 'test/fixtures/policy/privileged.yaml']],
  ['check of Terraform', ['check', terraform]],
  ['check with customRules', ['check', '--config', teamRule, example]],
  // An option before the command: commander stops at the program, whatever command follows.
  ['-f FILE validate', ['-f', example, 'validate']],
  // Every other command runs from dist/cli/cli.cjs.
  ['status against a closed port', ['status', '-f', example, '--env', 'dev', '--kubeconfig', kubeconfig]],
  ['--help validate (the program help)', ['--help', 'validate']],
];
/** The URL prefix of dist/'s own modules (not a workspace package's dist, which the script may import). */
const distUrl = pathToFileURL(join(repoRoot, 'dist')).href + '/';

describe.skipIf(!scriptBuilt)('commands run from bundled scripts (dist/cli/offline.cjs, cli.cjs)', () => {
  it.concurrent.each(scripted)('slipway %s: same output and exit code as the modules', async (name, args) => {
    const [fromScript, fromModules] = await Promise.all([
      tracedAny(`${name}`, args, 'bin'),
      tracedAny(`${name}`, args, 'modules'),
    ]);
    expect(fromScript.code).toBe(fromModules.code);
    expect(fromScript.stdout).toBe(fromModules.stdout);
    expect(fromScript.stderr).toBe(fromModules.stderr);
    expect(fromScript.stdout + fromScript.stderr).not.toBe('');
    // It ran from the script: no ES module of dist/ was loaded, and it required the launcher
    // (dist/cli/launch.cjs), Node's own modules and what the modules' run required too (the
    // cluster client tries optional packages: `encoding`, `bufferutil`); the script holds the rest.
    // bin/slipway itself is CommonJS: the first module required, not an ES module.
    expect(
      fromScript.modules.filter((line) => !line.startsWith('require ') && line.startsWith(distUrl)),
    ).toEqual([]);
    const requiredBy = (run: { modules: string[] }) =>
      run.modules.filter((line) => line.startsWith('require ')).map((l) => l.slice(8));
    const required = requiredBy(fromScript);
    expect(required.shift()).toBe(slipwayBin);
    const alsoByModules = new Set(requiredBy(fromModules));
    expect(required.filter((r) => r.endsWith('/dist/cli/launch.cjs'))).toHaveLength(1);
    expect(
      required.filter(
        (r) =>
          !r.startsWith('node:') &&
          !builtinModules.includes(r) &&
          !r.endsWith('launch.cjs') &&
          !alsoByModules.has(r),
      ),
    ).toEqual([]);
  });

  // Node builds some of its own modules only when asked: node:crypto is 17 of them, node:fs/promises
  // 12 (with readline's). The spec commands use neither (render hashes with @noble/hashes, the spec
  // is read synchronously); a static import that brings one back costs every start a few ms.
  it.each([
    ['validate', ['validate', '-f', example]],
    ['render', ['render', '-f', example, '--env', 'dev']],
  ])('slipway %s builds neither node:crypto nor node:fs/promises', async (name, args) => {
    const list = join(dir, `node-modules-${name}.txt`);
    const preload = join(dir, 'module-load-list.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(process.env.SLIPWAY_LOAD_LIST, process.moduleLoadList.join('\\n')));`,
    );
    const result = await runBuilt(['-r', preload, slipwayBin, ...args], {
      program: process.execPath,
      env: { SLIPWAY_LOAD_LIST: list },
    });
    expect(result.code, result.stderr).toBe(0);
    const loaded = readFileSync(list, 'utf8').split('\n');
    // (The list is Node's own: it names the script's modules, so a list that misses them is caught.)
    expect(loaded).toContain('NativeModule vm');
    expect(loaded.filter((m) => /^NativeModule (crypto|fs\/promises|readline)$/.test(m))).toEqual([]);
  });

  it('slipway --help validate prints the program help with every command', async () => {
    const result = await runBuilt([slipwayBin, '--help', 'validate'], { program: process.execPath });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}validate /m);
    expect(result.stdout).toMatch(/^ {2}deploy /m);
  });

  it('the script of every command joins the cluster client once, as the bundle of dist/vendor', () => {
    const inputs = JSON.parse(
      readFileSync(join(repoRoot, 'dist', 'cli', 'cli.inputs.json'), 'utf8'),
    ) as string[];
    expect(inputs).toContain('dist/cli/main.js');
    expect(inputs).toContain('dist/vendor/kubernetes-client-node.js');
    expect(inputs.filter((f) => /node_modules\/@kubernetes\//.test(f))).toEqual([]);
  });

  it('the script joins no cluster client and zod, yaml and commander as one copy each', () => {
    const inputs = JSON.parse(
      readFileSync(join(repoRoot, 'dist', 'cli', 'offline.inputs.json'), 'utf8'),
    ) as string[];
    expect(inputs).toContain('dist/cli/offline-main.js');
    expect(inputs).toContain('dist/spec/schema.js');
    expect(
      inputs.filter((f) => /node_modules\/@kubernetes\/|kubernetes-client|dist\/cluster\/kube/.test(f)),
    ).toEqual([]);
    expect(inputs).toContain('dist/vendor/zod.js');
    expect(inputs).toContain('dist/vendor/yaml.js');
    expect(inputs.filter((f) => /node_modules\/(zod|yaml)\//.test(f))).toEqual([]);
    expect(inputs.some((f) => f.endsWith('node_modules/commander/lib/command.js'))).toBe(true);
    // check with the policy rules, but nothing of the commands that reach a cluster or the sandbox,
    // and neither the CEL evaluator nor web-tree-sitter (imported on first use as ES modules).
    expect(inputs).toContain('dist/cli/commands/check.js');
    expect(inputs).toContain('dist/policy/rules/index.js');
    expect(
      inputs.filter((f) =>
        /dist\/cli\/commands\/(deploy|status|sandbox|demo)\.js|packages\/sandbox\/dist\/(?!errors)|\/cel\/|web-tree-sitter/.test(
          f,
        ),
      ),
    ).toEqual([]);
  });

  it.each([
    ['offline.cjs', 'offline.cjs.cache'],
    ['offline.cjs', 'offline.cjs.check.cache'],
    ['cli.cjs', 'cli.cjs.cache'],
  ])('the script %s and its code cache %s, one this Node takes', async (script, cache) => {
    const cli = join(repoRoot, 'dist', 'cli');
    const result = await runBuilt(
      [
        '-e',
        `const m = require(${JSON.stringify(join(cli, 'launch.cjs'))}); console.log(m.loadScript(${JSON.stringify(cli)}, ${JSON.stringify({ script, cache })}).cacheAccepted);`,
      ],
      { program: process.execPath },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('true');
  });
});

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
  /**
   * The modules `slipway ARGS` resolved against a closed loopback port (it reached the client: exit
   * 3), run from dist/'s modules (bin/slipway runs dist/cli/cli.cjs, which holds them all).
   */
  async function againstClosedPort(name: string, args: string[]): Promise<string[]> {
    const trace = join(dir, `${name}.txt`);
    const result = await runBuilt(
      ['--import', hook, '--input-type=module', '-e', modulesMain, 'slipway', ...args],
      {
        program: process.execPath,
        env: { SLIPWAY_IMPORT_TRACE: trace, KUBECONFIG: kubeconfig },
      },
    );
    // It reached the client (the cluster is unreachable: exit 3, said plainly).
    expect(result.stderr).toMatch(/cannot reach the cluster/);
    return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  }

  it('slipway history against a closed loopback port', async () => {
    const modules = await againstClosedPort('history', ['history', '-f', example, '--env', 'dev']);
    // Each importer's resolution is one line; one file, however often it is named.
    const bundled = new Set(modules.filter((url) => url.includes('/dist/vendor/kubernetes-client-node.js')));
    expect(bundled.size).toBe(1);
    expect(modules.filter((url) => url.includes('/node_modules/@kubernetes/'))).toEqual([]);
  });

  it('slipway deploy of a spec without secrets leaves the age library unloaded', async () => {
    const modules = await againstClosedPort('deploy', [
      'deploy',
      '-f',
      example,
      '--env',
      'dev',
      '--skip-analysis',
    ]);
    // The module that opens SOPS files is in the graph; the library it imports on first use
    // (about 170 ms of CPU with its post-quantum, curve and cipher modules) is not. (@noble/hashes'
    // sha256 is: render hashes configuration with it.)
    expect(modules.some((url) => url.endsWith('/dist/secrets/age.js'))).toBe(true);
    expect(
      modules.filter((url) => /\/node_modules\/(age-encryption|@noble\/(?!hashes\/))/.test(url)),
    ).toEqual([]);
  });
});
