/**
 * provider: chart through the real helm: the chart's Chart.yaml names the Bitnami postgresql chart,
 * which tests do not fetch. A stand-in chart of that name in charts/ (written here, two files)
 * shows what Helm does with our Chart.yaml and values: the dependency is satisfied by name and
 * alias, `condition: db.enabled` switches it per environment, and the values under `db:` arrive in
 * the subchart (it echoes them into a ConfigMap). What the real chart then makes of those values
 * (auth.existingSecret, auth.secretKeys, primary.persistence) is the Bitnami chart's documented
 * behaviour and is not exercised here. Everything but the stand-in's objects still equals render.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeHelmChart } from '../../src/render/helm/index.js';
import { renderApp } from '../../src/render/index.js';
import { parseSpec } from '../../src/spec/parse.js';
import { environmentNames, resolveEnvironment } from '../../src/spec/resolve.js';
import { helm } from '../helpers/kube-tools.js';
import { byIdentity, parseStream, plain, withoutHelmHooks, writeTree } from './compare.js';
import { helmLint, withTempDir } from './judges.js';

const SPEC = `app: shop
version: "1.0.0"
services:
  api:
    image: ghcr.io/acme/api
    port: 8080
    env: { DATABASE_URL: "\${db.url}" }
dependencies:
  db: { type: postgres, storage: 2Gi }
environments:
  dev: {}
  production:
    dependencies:
      db: { provider: chart, chart: { version: "16.7.4" }, storage: 20Gi }
`;

/** Stands in for the postgresql chart: renders the values it receives, nothing else. */
const STAND_IN = {
  'Chart.yaml': 'apiVersion: v2\nname: postgresql\nversion: 16.7.4\n',
  'templates/values.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: stand-in-{{ .Chart.Name }}
  namespace: {{ .Release.Namespace }}
data:
  values: {{ .Values | toJson | quote }}
`,
};

describe('a subchart dependency with the real helm and a stand-in chart', () => {
  it('is off where the environment runs the StatefulSet, on with the wired values where it is a subchart', async () => {
    const spec = parseSpec(SPEC, 'slipway.yaml');
    const environments = environmentNames(spec).map((env) => {
      const app = resolveEnvironment(spec, env, 'slipway.yaml');
      return { environment: env, app, objects: renderApp(app).objects };
    });
    await withTempDir(async (dir) => {
      await writeTree(dir, writeHelmChart({ spec, environments }).files);
      for (const [file, text] of Object.entries(STAND_IN)) {
        await mkdir(join(dir, 'charts', 'postgresql', 'templates'), { recursive: true });
        await writeFile(join(dir, 'charts', 'postgresql', file), text);
      }
      for (const env of environments) {
        const { stdout } = await helm([
          'template',
          'shop',
          dir,
          '-f',
          join(dir, `values-${env.environment}.yaml`),
          '--namespace',
          'shop',
        ]);
        const objects = withoutHelmHooks(parseStream(stdout));
        const standIn = objects.filter((o) => o.metadata.name.startsWith('stand-in-'));
        // The chart makes the credentials Secret itself (random password, kept by lookup): render does not.
        const credentials = (o: { kind: string; metadata: { name: string } }) =>
          o.kind === 'Secret' && o.metadata.name === 'shop-db-credentials';
        expect(objects.filter(credentials)).toHaveLength(1);
        const own = objects.filter((o) => !o.metadata.name.startsWith('stand-in-') && !credentials(o));
        expect(byIdentity(own), env.environment).toEqual(byIdentity(plain(env.objects)));
        if (env.environment === 'dev') {
          expect(standIn).toEqual([]);
          expect(env.objects.some((o) => o.kind === 'StatefulSet')).toBe(true);
          continue;
        }
        expect(env.objects.some((o) => o.kind === 'StatefulSet')).toBe(false);
        // Helm renamed the dependency to its alias, and handed it the values under db:.
        expect(standIn.map((o) => o.metadata.name)).toEqual(['stand-in-db']);
        const received = JSON.parse((standIn[0]!.data as { values: string }).values);
        expect(received).toMatchObject({
          enabled: true,
          fullnameOverride: 'shop-db',
          auth: {
            username: 'shop',
            database: 'shop',
            existingSecret: 'shop-db-credentials',
            secretKeys: { userPasswordKey: 'password', adminPasswordKey: 'password' },
          },
          primary: { persistence: { size: '20Gi' } },
        });
        // The app reads the same Secret the subchart is told to use, at the Service it is told to be.
        const api = JSON.stringify(own.find((o) => o.kind === 'Deployment'));
        expect(api).toContain(`{"secretKeyRef":{"name":"${received.auth.existingSecret}","key":"url"}}`);
      }
      expect(await helmLint(dir, { spec, environments })).toEqual([]);
    });
  });
});
