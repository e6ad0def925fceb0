/**
 * Build step, after `tsc` and scripts/bundle-vendor.mjs: the CLI as two CommonJS scripts with V8
 * code caches beside them, which bin/slipway runs (src/cli/launch.ts): dist/cli/offline.cjs, the
 * offline commands (validate, render, schema, init, check; src/cli/commands/entries.ts), with
 * offline.cjs.cache and, for `check`, offline.cjs.check.cache; and dist/cli/cli.cjs, every command
 * (the cluster client joined in), with cli.cjs.cache, for every other command line.
 *
 * Why: on Node 20 (no module compile cache) `slipway validate` spent most of its start-up finding,
 * reading, compiling and linking about a hundred ES modules (ours, zod, yaml, commander). One
 * script compiled with a cache made here skips all of that; `node --cpu-prof` had
 * `compileSourceTextModule` as the hottest function after the garbage collector.
 *
 * - The entries are dist/cli/offline-main.js and dist/cli/main.js; everything each reaches is
 *   joined in, our modules and the packages alike, so a script loads no ES module and shares no
 *   class with one (an error thrown there is checked with `instanceof` there). Only Node's own modules stay outside; anything else
 *   (a package that cannot be joined) fails the build, as does an import() left in the script,
 *   which a vm script could not run; the few packages imported on first use that stay outside
 *   (LATE_PACKAGES) are imported by the launcher.
 * - `import.meta.url` in our modules becomes the URL of the module's own file under dist/, worked
 *   out from the script's directory at run time, so files found beside a module are found as before.
 *   A package joined in must not look for files beside itself (checked).
 * - commander loads `node:child_process` only to run executable subcommands, which Slipway has
 *   none of; in the script it is required when first used (about 10 ms of CPU at every start).
 * - The code caches are taken after running `validate`, `render` and `schema` (offline.cjs.cache),
 *   `check` (offline.cjs.check.cache) on the sample service, and `status` and `deploy` against a
 *   closed loopback port (cli.cjs.cache), each cache in a process of its own, so each holds the
 *   functions its commands run, compiled (src/cli/launch.ts' scriptFor says which a command line
 *   reads); run with another Node or other V8 flags, V8 rejects them and compiles the script from
 *   source.
 * - dist/cli/launch.cjs is src/cli/launch.ts (which bin/slipway requires) as one CommonJS file.
 * - dist/cli/offline.inputs.json and cli.inputs.json list the files joined in
 *   (test/cli/import-graph.test.ts reads them).
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');
const builtins = new Set(builtinModules);

const COMMANDER_SPAWN = "const childProcess = require('node:child_process');";
const COMMANDER_LAZY_SPAWN =
  "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";

/**
 * The URL of a joined module's own file, from its path relative to the script: a function declared
 * at the end (hoisted; the script's "use strict" must stay its first statement).
 */
const MODULE_URL = '__slipwayModuleUrl';
const FOOTER = `function ${MODULE_URL}(path) { return require("node:url").pathToFileURL(require("node:path").join(__dirname, path)).href; }`;

/**
 * Packages our modules import() on first use that stay ES modules outside the script, loaded as
 * from dist/: web-tree-sitter finds its WebAssembly beside itself, and the CEL evaluator (about 130
 * modules) loads for a check configuration with customRules only. A vm script cannot run import(),
 * so the script asks the launcher (src/cli/launch.ts), a CommonJS module, to import them:
 * `import('web-tree-sitter')` becomes `__slipwayImport('web-tree-sitter')`, a parameter of the
 * script's wrapper.
 */
const LATE_PACKAGES = new Set(['web-tree-sitter', '@slipway/kube/cel']);
const LATE_IMPORT = /(?<![\w$.])import\((['"])([^'"]+)\1\)/g;
const MODULE_IMPORT = '__slipwayImport';

/** SLIPWAY_BUNDLE_DEBUG=1: a script not minified, with comments, whose names a CPU profile can show. */
const readable = process.env.SLIPWAY_BUNDLE_DEBUG === '1';
const problems = [];
const offline = {
  name: 'slipway-offline',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.replace(/^node:/, '');
      if (args.path.startsWith('node:') || builtins.has(bare)) return { path: args.path, external: true };
      return undefined;
    });
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const file = relative(root, args.path).split(sep).join('/');
      if (file.includes('node_modules/commander/lib/command.js')) {
        if (!text.includes(COMMANDER_SPAWN)) problems.push(`${file}: no "${COMMANDER_SPAWN}" to make lazy`);
        return { contents: text.replace(COMMANDER_SPAWN, COMMANDER_LAZY_SPAWN), loader: 'js' };
      }
      if (file.includes('node_modules/')) {
        if (/import\.meta|__dirname|__filename/.test(text))
          problems.push(`${file} looks for files beside itself; it cannot be joined into offline.cjs`);
        return undefined;
      }
      const late = text.replace(LATE_IMPORT, (whole, quote, specifier) =>
        LATE_PACKAGES.has(specifier) ? `${MODULE_IMPORT}(${quote}${specifier}${quote})` : whole,
      );
      if (!late.includes('import.meta')) return late === text ? undefined : { contents: late, loader: 'js' };
      const fromScript = relative(outdir, args.path).split(sep).join('/');
      const contents = late.replaceAll('import.meta.url', `${MODULE_URL}(${JSON.stringify(fromScript)})`);
      if (contents.includes('import.meta')) problems.push(`${file}: import.meta other than import.meta.url`);
      return { contents, loader: 'js' };
    });
  },
};

// `--cache SCRIPT CACHE RUNS`: this file run again by itself to make one code cache (the end of this file).
if (process.argv[2] === '--cache') {
  await warmCache(process.argv[3], process.argv[4], JSON.parse(process.argv[5]));
  process.exit(0);
}
// A cache is only ever beside the script it was taken from: V8 checks a cache against the script's
// length, not its text, so the old ones go before the scripts are rewritten (a build that fails
// below leaves a script without a cache, which compiles from source).
for (const file of readdirSync(outdir))
  if (/^(offline|cli)\.cjs\.(.+\.)?cache$/.test(file)) rmSync(join(outdir, file), { force: true });
const scripts = [
  { name: 'offline.cjs', entry: 'offline-main.js', inputs: 'offline.inputs.json' },
  { name: 'cli.cjs', entry: 'main.js', inputs: 'cli.inputs.json' },
];
for (const script of scripts) script.result = await bundle(script.name, script.entry);
if (problems.length > 0) {
  console.error(`bundle-offline: ${problems.join('\n')}`);
  process.exit(1);
}
// bin/slipway's launcher as CommonJS, required by it; on its own so a command outside the script pays little.
await build({
  entryPoints: [join(outdir, 'launch.js')],
  outfile: join(outdir, 'launch.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
for (const { result, inputs } of scripts) {
  const files = Object.keys(result.metafile.inputs).map((p) =>
    relative(root, join(root, p)).split(sep).join('/'),
  );
  writeFileSync(join(outdir, inputs), JSON.stringify(files.sort(), null, 1) + '\n');
}

// The code caches: in a process of its own for each (V8 would hand a second compile of the same
// script in one process the functions the first compiled), compile the script as bin/slipway does,
// run the commands of that cache, keep the code (warmCache below). The sample service for the
// offline commands; for the others, a cluster command's way to its error against a closed
// loopback port (no cluster is needed to build), which runs the cluster client's set-up.
const { scriptFor } = createRequire(import.meta.url)(join(outdir, 'launch.cjs'));
const example = join(root, 'examples', 'sample-service', 'slipway.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'slipway-bundle-'));
const kubeconfig = join(scratch, 'kubeconfig');
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
const cluster = ['-f', example, '--env', 'dev', '--kubeconfig', kubeconfig];
/** Command lines and the exit code each must end with (3: the cluster cannot be reached). */
const warmUps = [
  [['validate', '-f', example], 0],
  [['render', '-f', example, '--env', 'dev'], 0],
  [['schema'], 0],
  [['check', example], 0],
  [['status', ...cluster], 3],
  [['deploy', ...cluster, '--skip-analysis'], 3],
];
const caches = new Map();
for (const [args, code] of warmUps) {
  const { script, cache } = scriptFor(args);
  const key = JSON.stringify([script, cache]);
  caches.set(key, [...(caches.get(key) ?? []), [args, code]]);
}
try {
  for (const [key, runs] of caches) {
    const [script, cache] = JSON.parse(key);
    const child = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), '--cache', script, cache, JSON.stringify(runs)],
      { stdio: 'inherit' },
    );
    if (child.status !== 0) {
      rmSync(join(outdir, cache), { force: true });
      console.error(`bundle-offline: making ${cache} failed`);
      process.exit(1);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/**
 * Compiles dist/cli/`script` without a cache, runs the command lines `runs` ([args, exit code]),
 * writes its code cache to dist/cli/`cache`.
 */
async function warmCache(script, cache, runs) {
  const { loadScript } = createRequire(import.meta.url)(join(outdir, 'launch.cjs'));
  const loaded = loadScript(outdir, { script, cache: false });
  if (!loaded) throw new Error(`bundle-offline: dist/cli/${script} did not load`);
  for (const [args, expected] of runs) {
    const errors = [];
    const io = {
      out: () => {},
      err: (text) => void errors.push(text),
      isTTY: false,
      cwd: root,
      env: {},
      stdin: Readable.from([]),
    };
    const code = await loaded.main(['node', 'slipway', ...args], io);
    if (code !== expected)
      throw new Error(`bundle-offline: slipway ${args.join(' ')} exited ${code}: ${errors.join('')}`);
  }
  writeFileSync(join(outdir, cache), loaded.script.createCachedData());
}

/** Joins `entry` (in dist/cli) and all it reaches into dist/cli/`name`; what is wrong goes to `problems`. */
async function bundle(name, entry) {
  const outfile = join(outdir, name);
  const result = await build({
    entryPoints: [join(outdir, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: !readable,
    // No keepNames: it wraps every named function and class in a call that sets its `name`, also the
    // closures made inside hot functions at each call (zod's schema walk: ~48 ms of a 10-service
    // render in one closure); without it `render` takes 7.5% less CPU, `validate` 6%, a
    // 10,000-object `check` 2% (farm-bench, paired). Nothing reads a minified name: errors set
    // their `name` themselves and are told apart with instanceof.
    keepNames: false,
    metafile: true,
    plugins: [offline],
    footer: { js: FOOTER },
    legalComments: 'none',
    logLevel: 'warning',
    // The cluster client's bundle compares with -0 on purpose.
    logOverride: { 'equals-negative-zero': 'silent' },
  });
  for (const imported of Object.values(result.metafile.outputs)[0].imports) {
    if (!imported.external) continue;
    if (!imported.path.startsWith('node:') && !builtins.has(imported.path))
      problems.push(`${name} would ${imported.kind} ${imported.path} from outside`);
  }
  const output = readFileSync(outfile, 'utf8');
  // ASCII only (esbuild escapes strings, not regular expressions): the launcher reads the script as
  // latin1, and one other character would make V8 hold all of it as a two-byte string.
  const notAscii = /[^\0-\x7f].{0,40}/s.exec(output);
  // (A readable script keeps comments, which may hold any character; read as latin1, only they change.)
  if (notAscii && !readable)
    problems.push(`${name} holds a character outside ASCII (write it as \\u....): ${notAscii[0]}`);
  // (A readable script's comments may mention import(); the minified one has none.)
  if (!readable && /(?<![\w$.])import\(/.test(output))
    problems.push(`${name} holds an import(), which a vm script cannot run`);
  return result;
}
