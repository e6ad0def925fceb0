/**
 * The chart takes its names and namespace from the release, as charts from `helm create` do: any
 * release name and `--namespace` give a self-consistent set of objects (release-names.ts), two
 * releases never share an object, and nameOverride/fullnameOverride work. (Release name = app name
 * giving exactly render's objects is examples.test.ts and helm.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FormatInput } from '../../src/cli/formats.js';
import { writeHelmChart } from '../../src/render/helm/index.js';
import { renderApp } from '../../src/render/index.js';
import { parseSpec } from '../../src/spec/parse.js';
import { environmentNames, resolveEnvironment } from '../../src/spec/resolve.js';
import { helm } from '../helpers/kube-tools.js';
import { parseStream, writeTree } from './compare.js';
import { inPairs, withTempDir } from './judges.js';
import { releaseProblems } from './release-names.js';

/** An example, or its spec with `patch` applied to the text (a dependency provider changed). */
function exampleInput(name: string, patch: (text: string) => string = (t) => t): FormatInput {
  const file = join('examples', name, 'slipway.yaml');
  const spec = parseSpec(patch(readFileSync(file, 'utf8')), file);
  const environments = environmentNames(spec).map((env) => {
    const app = resolveEnvironment(spec, env, file);
    return { environment: env, app, objects: renderApp(app, { images: {} }).objects };
  });
  return { spec, environments };
}

const CASES = [
  { args: ['preview', '-n', 'other'], fullname: (app: string) => `preview-${app}`, release: 'preview' },
  // A second release beside the first, renamed through nameOverride.
  {
    args: ['second', '-n', 'other', '--set', 'nameOverride=shop'],
    fullname: () => 'second-shop',
    release: 'second',
  },
  {
    args: ['blue', '-n', 'tenants', '--set', 'fullnameOverride=custom'],
    fullname: () => 'custom',
    release: 'blue',
  },
];

const OPERATOR_DB = (text: string) => {
  const patched = text.replace(
    'db: { type: postgres, version: "16", storage: 20Gi, database: storefront, managed: true }',
    'db: { type: postgres, version: "16", storage: 20Gi, database: storefront, provider: operator }',
  );
  if (patched === text)
    throw new Error('the storefront spec changed: the test no longer sets provider: operator');
  return patched;
};

describe.each([
  ['api-web-db-redis-kafka', undefined],
  ['api-web-db-redis-kafka', OPERATOR_DB],
  ['agentic-rag', undefined],
  ['analytics-platform', undefined],
] as const)('chart of %s %s', (example, patch) => {
  it('any release name and namespace give a self-consistent release; two releases share no object', async () => {
    const input = exampleInput(example, patch);
    const app = input.spec.app;
    const production = input.environments.find((e) => e.environment === 'production')!;
    const externalSecrets = Object.values(production.app.dependencies).flatMap((d) =>
      d.external ? [d.external.secret] : [],
    );
    await withTempDir(async (dir) => {
      await writeTree(dir, writeHelmChart(input).files);
      const outputs = await inPairs(CASES, async (c) => {
        const [release, ...rest] = c.args;
        const { stdout } = await helm([
          'template',
          release!,
          dir,
          '-f',
          join(dir, 'values-production.yaml'),
          ...rest,
        ]);
        return parseStream(stdout);
      });
      CASES.forEach((c, i) => {
        const namespace = c.args[c.args.indexOf('-n') + 1]!;
        expect(outputs[i]!.length).toBeGreaterThan(production.objects.length);
        expect(
          releaseProblems(outputs[i]!, {
            fullname: c.fullname(app),
            namespace,
            release: c.release,
            externalSecrets,
          }),
          c.args.join(' '),
        ).toEqual([]);
      });
      const ids = (objects: typeof production.objects) =>
        new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
      const [preview, second] = [ids(outputs[0]!), ids(outputs[1]!)];
      expect([...preview].filter((id) => second.has(id))).toEqual([]);
      // The checker itself: render's own objects, taken as a release named like the app, pass it.
      expect(
        releaseProblems(production.objects, {
          fullname: app,
          namespace: production.app.namespace,
          release: app,
          externalSecrets,
        }),
      ).toEqual([]);
    });
  });
});
