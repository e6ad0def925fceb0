/**
 * Build step: @kubernetes/client-node as one minified ES module, dist/vendor/kubernetes-client-node.js.
 *
 * The package is about a thousand files (every generated API and model); loading them one by one
 * costs every cluster command over a second of start-up. The same code in one file loads in about
 * a third of the CPU time (`npm run bench:startup`). Nothing of it is changed: esbuild only joins
 * the files, its dependencies included, so the copy needs nothing from node_modules at run time.
 * src/cluster imports it as `#kubernetes-client` (package.json "imports"): built code gets this
 * file, the sources under vitest and the type checker get the package itself ("source"/"types").
 */
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = createRequire(join(root, 'package.json')).resolve('@kubernetes/client-node');

const outfile = join(root, 'dist', 'vendor', 'kubernetes-client-node.js');
const result = await build({
  entryPoints: [entry],
  outfile,
  metafile: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  // Class and function names stay as they were: error messages and `instanceof`-free checks read them.
  keepNames: true,
  // The dependencies written as CommonJS call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __slipwayRequire } from 'node:module'; const require = __slipwayRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
});

// Each joined package's name, version and licence text, in a file beside the bundle.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
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
writeFileSync(
  outfile.replace(/\.js$/, '.LICENSES.txt'),
  `The packages joined into kubernetes-client-node.js, with their licences.\n\n${notices.join('\n' + '-'.repeat(72) + '\n\n')}`,
);
