/**
 * Build step: the dependencies that cost start-up most, each joined into one minified ES module
 * under dist/vendor/ (esbuild), with the licences of the joined packages beside it.
 *
 * - @kubernetes/client-node -> dist/vendor/kubernetes-client-node.js. The package is about a
 *   thousand files (every generated API and model); loading them one by one costs every cluster
 *   command over a second of start-up, the same code in one file about a third of that. Its
 *   dependencies are joined too, so the copy needs nothing from node_modules at run time. The copy
 *   exports only the names dist/ imports from `#kubernetes-client` (read from the compiled modules at
 *   build time), so esbuild leaves out the generated APIs nothing calls; a name the package lacks
 *   fails the build, and any other way of importing it (a namespace or dynamic import) too.
 * - zod -> dist/vendor/zod.js. zod's entry point imports about 120 modules, 95 of them the
 *   translations of its messages (`z.locales`), which Slipway never uses: it words every message
 *   itself (src/spec/issues.ts) and zod's English default is imported on its own. The copy leaves
 *   the translations out (`z.locales` is empty) and is one file; every other export is zod's own.
 * - yaml -> dist/vendor/yaml.js. The package's Node build is about 70 CommonJS files, each compiled
 *   and wrapped on its own; every command that reads YAML loads them. The copy is its Node build
 *   joined, with every name the package exports (read from the package itself at build time).
 * - js-yaml -> dist/vendor/js-yaml.js (the fast reader, src/spec/fast-yaml.ts). One change: js-yaml
 *   makes an `Object.create(null)` table for every mapping it reads (block and flow), the keys a `<<`
 *   merge brought in (which the mapping may then set again without a duplicate-key error), and
 *   deletes every key of the mapping from it. The copy shares one empty, frozen table and skips the
 *   deletes until a mapping meets its first merge key, which gets a table of its own (kept beside the
 *   mapping in a WeakMap, looked up only once a merge has been read). It reads exactly what the
 *   package reads (test/spec/js-yaml-vendor.test.ts). A check of the 10,000-object corpus allocated
 *   263 MB with a table per mapping and 239 MB with the shared one (sampling heap profiler). The
 *   build fails if the code to change is not there as often as expected (a new js-yaml: look again).
 *
 * Nothing else is changed: esbuild only joins the files. Source imports them as `#kubernetes-client`,
 * `#zod`, `#yaml` and `#js-yaml` (package.json "imports"): built code gets these files, the sources
 * under vitest and the type checker get the packages themselves ("source"/"types").
 */
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vendor = join(root, 'dist', 'vendor');

/** zod's `export * as locales` (from its classic and core entry points) as an empty namespace. */
const withoutLocales = {
  name: 'zod-without-locales',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, () => ({ path: 'locales', namespace: 'no-locales' }));
    b.onLoad({ filter: /.*/, namespace: 'no-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

/**
 * js-yaml with one table shared until a merge key needs one (see above). Each change names the text
 * it replaces and how often js-yaml has it; any other count fails the build.
 */
const JS_YAML_CHANGES = [
  [
    '  function storeMappingPair(state, _result, overridableKeys,',
    [
      '  const NO_MERGES = Object.freeze(Object.create(null));',
      '  const MERGE_TABLES = new WeakMap();',
      '  function storeMappingPair(state, _result, overridableKeys,',
    ].join('\n'),
  ],
  [
    '    if (_result === null) {\n      _result = {};\n    }\n',
    [
      '    if (_result === null) {',
      '      _result = {};',
      '    }',
      '    if (overridableKeys === NO_MERGES && state.slipwayMerged) overridableKeys = MERGE_TABLES.get(_result) ?? NO_MERGES;',
      '',
    ].join('\n'),
  ],
  [
    '    if (keyTag === "tag:yaml.org,2002:merge") {\n',
    [
      '    if (keyTag === "tag:yaml.org,2002:merge") {',
      '      if (overridableKeys === NO_MERGES) {',
      '        overridableKeys = Object.create(null);',
      '        MERGE_TABLES.set(_result, overridableKeys);',
      '        state.slipwayMerged = true;',
      '      }',
      '',
    ].join('\n'),
  ],
  [
    '!_hasOwnProperty.call(overridableKeys, keyNode)',
    '(overridableKeys === NO_MERGES || !_hasOwnProperty.call(overridableKeys, keyNode))',
  ],
  [
    '      delete overridableKeys[keyNode];',
    '      if (overridableKeys !== NO_MERGES) delete overridableKeys[keyNode];',
  ],
  // readFlowCollection's and readBlockMapping's.
  ['const overridableKeys = /* @__PURE__ */ Object.create(null);', 'const overridableKeys = NO_MERGES;', 2],
];
const jsYamlSharedKeys = {
  name: 'js-yaml-shared-keys',
  setup(b) {
    b.onLoad({ filter: /[\\/]js-yaml[\\/]dist[\\/]js-yaml\.mjs$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      for (const [from, to, times = 1] of JS_YAML_CHANGES) {
        const parts = text.split(from);
        if (parts.length !== times + 1)
          throw new Error(
            `${args.path}: "${from.trim()}" is there ${parts.length - 1} times, not ${times}; look again (bundle-vendor.mjs)`,
          );
        text = parts.join(to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

const requireHere = createRequire(join(root, 'package.json'));
/** The yaml package's exports, named: esbuild cannot list the names of a CommonJS module's `export *`. */
const yamlNames = Object.keys(requireHere('yaml')).filter((n) => n !== 'default' && n !== '__esModule');

/** CommonJS code joined into an ES module calls require() for Node's own modules. */
const REQUIRE_BANNER =
  "import { createRequire as __slipwayRequire } from 'node:module'; const require = __slipwayRequire(import.meta.url);";

/**
 * The names the compiled modules import from `#kubernetes-client` (tsc has dropped the type-only
 * ones). The build fails on any other import of it, which would need names this list cannot see.
 */
function clientNames() {
  const names = new Set();
  const other = [];
  const files = readdirSync(join(root, 'dist'), { recursive: true }).filter(
    (f) => f.endsWith('.js') && !f.startsWith(`vendor${sep}`),
  );
  for (const file of files) {
    const text = readFileSync(join(root, 'dist', file), 'utf8');
    if (!text.includes('#kubernetes-client')) continue;
    const named = /import\s*\{([^}]*)\}\s*from\s*'#kubernetes-client'/g;
    for (const [, list] of text.matchAll(named))
      for (const part of list.split(',')) {
        const name = part.trim().split(/\s+as\s+/)[0];
        if (name) names.add(name);
      }
    if (text.replace(named, '').includes('#kubernetes-client')) other.push(file);
  }
  if (other.length > 0 || names.size === 0)
    throw new Error(
      `bundle-vendor: ${other.length ? `${other.join(', ')} import #kubernetes-client other than by name` : 'nothing imports #kubernetes-client (run tsc first)'}`,
    );
  return [...names].sort();
}

const bundles = [
  {
    name: 'kubernetes-client-node',
    contents: `export { ${clientNames().join(', ')} } from '@kubernetes/client-node';`,
    banner: REQUIRE_BANNER,
  },
  {
    name: 'zod',
    // What `import { z } from 'zod'` gives; the names we import are all under `z`.
    contents: "export { z } from 'zod';",
    plugins: [withoutLocales],
  },
  {
    name: 'js-yaml',
    contents: "import jsyaml from 'js-yaml';\nexport default jsyaml;",
    plugins: [jsYamlSharedKeys],
  },
  {
    name: 'yaml',
    contents: `import yaml from 'yaml';\nexport const { ${yamlNames.join(', ')} } = yaml;\nexport default yaml;`,
    banner: REQUIRE_BANNER,
  },
];

for (const bundle of bundles) {
  const outfile = join(vendor, `${bundle.name}.js`);
  const result = await build({
    ...(bundle.entry
      ? { entryPoints: [bundle.entry] }
      : { stdin: { contents: bundle.contents, resolveDir: root, sourcefile: `${bundle.name}-entry.js` } }),
    outfile,
    metafile: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // SLIPWAY_BUNDLE_DEBUG=1: readable copies whose names a CPU profile can show (as bundle-offline.mjs).
    minify: process.env.SLIPWAY_BUNDLE_DEBUG !== '1',
    // No keepNames: it wraps every named function and class in a call that sets its `name`, also the
    // closures made inside hot functions at each call (zod's schema walk: ~48 ms of a 10-service
    // render in one closure); without it `render` takes 7.5% less CPU, `validate` 6%, a
    // 10,000-object `check` 2% (farm-bench, paired). Nothing reads a minified name: errors set
    // their `name` themselves and are told apart with instanceof.
    keepNames: false,
    banner: bundle.banner ? { js: bundle.banner } : undefined,
    plugins: bundle.plugins ?? [],
    legalComments: 'none',
    logLevel: 'warning',
  });
  writeNotices(outfile, result.metafile);
}

/** Each joined package's name, version and licence text, in a file beside the bundle. */
function writeNotices(outfile, metafile) {
  const packages = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const parts = relative(root, join(root, input)).split(sep);
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) continue;
    const name = parts[at + 1].startsWith('@') ? parts.slice(at + 1, at + 3) : parts.slice(at + 1, at + 2);
    packages.add(join(...parts.slice(0, at + 1 + name.length)));
  }
  const notices = [...packages].sort().map((dir) => {
    const { name, version, license } = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const file = readdirSync(join(root, dir)).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text =
      file && existsSync(join(root, dir, file))
        ? readFileSync(join(root, dir, file), 'utf8').trim()
        : `(${license})`;
    return `${name}@${version} (${license})\n\n${text}\n`;
  });
  const base = outfile.slice(outfile.lastIndexOf(sep) + 1);
  writeFileSync(
    outfile.replace(/\.js$/, '.LICENSES.txt'),
    `The packages joined into ${base}, with their licences.\n\n${notices.join('\n' + '-'.repeat(72) + '\n\n')}`,
  );
}
