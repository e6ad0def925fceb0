/**
 * The pure half of `slipway secrets rotate`: which dependencies can rotate and why not, the
 * alternating login roles, the Jobs (no password in them), and which pod templates a rotation
 * annotates: exactly the services that read the Secret, with the annotation render writes for the
 * same version (so the next deploy rolls nothing again).
 */
import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import {
  planCredentialRotation,
  resumeCredentialRotation,
  rotationRefusal,
} from '../../src/rotation/credentials.js';
import { rotationJob } from '../../src/rotation/credential-jobs.js';
import { CREDENTIALS_VERSION_ANNOTATION, credentialsSecret } from '../../src/engine/credentials.js';
import { renderObjects } from '../../src/engine/prepare.js';
import { annotateReaders } from '../../src/rotation/pod-templates.js';
import { credentialsAnnotation } from '../../src/render/index.js';
import { parseSpec } from '../../src/spec/parse.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';

const SPEC = `app: shop
services:
  api: { image: ghcr.io/acme/api:1, port: 8080, env: { DATABASE_URL: "\${db.url}" } }
  worker: { image: ghcr.io/acme/worker:1, env: { DB_PASSWORD: "\${db.password}", REDIS_URL: "\${cache.url}" } }
  web: { image: ghcr.io/acme/web:1, port: 8080, env: { DB_HOST: "\${db.host}" } }
  nightly: { image: ghcr.io/acme/api:1, schedule: "0 3 * * *", env: { DATABASE_URL: "\${db.url}" } }
dependencies:
  db: { type: postgres }
  cache: { type: redis }
  legacy: { type: mysql }
  events: { type: kafka }
  ext: { type: postgres, external: { secret: ext-db } }
backups:
  db: { schedule: "0 2 * * *", keep: 3 }
environments:
  staging: {}
`;
const app = resolveEnvironment(parseSpec(SPEC, 'slipway.yaml'), 'staging');
const counter = (n: number) => Buffer.alloc(n, 7);

function live(
  username: string | undefined,
  password: string,
  version?: string,
  dependency = 'db',
  admin = '',
): KubeObject {
  const s = credentialsSecret(app, dependency, password, undefined, admin)! as KubeObject & {
    stringData?: Record<string, string>;
  };
  const data = Object.fromEntries(
    Object.entries({ ...s.stringData, ...(username ? { username } : {}) }).map(([k, v]) => [
      k,
      Buffer.from(v).toString('base64'),
    ]),
  );
  return {
    ...s,
    stringData: undefined,
    data,
    metadata: { ...s.metadata, annotations: version ? { [CREDENTIALS_VERSION_ANNOTATION]: version } : {} },
  } as KubeObject;
}

describe('dependency credential rotation', () => {
  it.each([
    ['db', undefined],
    ['cache', undefined],
    ['legacy', undefined],
    ['events', /no generated credentials/],
    ['ext', /external: rotate its password at its provider/],
    ['nope', /not a dependency/],
  ])('%s: %s', (name, refusal) => {
    const why = rotationRefusal(app, name);
    if (refusal) expect(why).toMatch(refusal);
    else expect(why).toBeUndefined();
  });

  it('alternates the login role of Postgres and counts the versions', () => {
    const first = planCredentialRotation(app, 'db', live('shop', 'old-1'), counter);
    expect([first.previousUser, first.nextUser, first.version]).toEqual(['shop', 'shop_b', '1']);
    const secret = first.secret as KubeObject & { stringData: Record<string, string> };
    expect(secret.stringData.username).toBe('shop_b');
    expect(new URL(secret.stringData.url!).username).toBe('shop_b');
    expect(new URL(secret.stringData.url!).password).toBe(secret.stringData.password);
    expect(secret.metadata.annotations).toEqual({ [CREDENTIALS_VERSION_ANNOTATION]: '1' });
    const second = planCredentialRotation(app, 'db', live('shop_b', 'old-2', '1'), counter);
    expect([second.previousUser, second.nextUser, second.version]).toEqual(['shop_b', 'shop', '2']);
  });

  it('puts no password in a Job: the Jobs read them from Secrets', () => {
    const rotation = planCredentialRotation(app, 'db', live('shop', 'old-password-3'), counter);
    const next = (rotation.secret as KubeObject & { stringData: Record<string, string> }).stringData
      .password!;
    for (const action of ['grant', 'expire'] as const) {
      const job = JSON.stringify(rotationJob(app, rotation, action, 'a1b2c3'));
      expect(job).not.toContain('old-password-3');
      expect(job).not.toContain(next);
      expect(job).toContain('"secretKeyRef":{"name":"shop-db-credentials-rotation"');
      // Not selected by the database's Service (it selects name=db).
      expect(job).toContain('"app.kubernetes.io/name":"db-rotation"');
    }
  });
});

describe('MySQL/MariaDB credential rotation', () => {
  it('alternates two users, changed by root: the admin password is kept, never in a Job', () => {
    const rotation = planCredentialRotation(
      app,
      'legacy',
      live('shop', 'old-mysql-1', undefined, 'legacy', 'root-pw-77'),
      counter,
    );
    expect([rotation.type, rotation.previousUser, rotation.nextUser]).toEqual(['mysql', 'shop', 'shop_b']);
    const next = (rotation.secret as KubeObject & { stringData: Record<string, string> }).stringData;
    expect(next['admin-password']).toBe('root-pw-77');
    expect(next.url).toMatch(/^mysql:\/\/shop_b:/);
    for (const action of ['grant', 'expire'] as const) {
      const job = JSON.stringify(rotationJob(app, rotation, action, 'a1b2c3'));
      for (const secret of ['old-mysql-1', 'root-pw-77', next.password!]) expect(job).not.toContain(secret);
      expect(job).toContain(
        '{"name":"ADMIN_PASSWORD","valueFrom":{"secretKeyRef":{"name":"shop-legacy-credentials","key":"admin-password"}}}',
      );
      expect(job).toContain(action === 'grant' ? '"key":"password"' : '"key":"previous-username"');
    }
  });

  it('refuses a database created before Slipway kept its root password', () => {
    expect(() =>
      planCredentialRotation(app, 'legacy', live('shop', 'old-mysql-1', undefined, 'legacy'), counter),
    ).toThrow(/shop-legacy-credentials has no admin-password: legacy was created before/);
  });
});

describe('an unfinished rotation', () => {
  it('is finished, not started again: the live credential is the next one, the stash names the previous', () => {
    const first = planCredentialRotation(app, 'db', live('shop', 'old-1'), counter);
    const next = first.secret as KubeObject & { stringData: Record<string, string> };
    const switched = live('shop_b', next.stringData.password!, '1');
    const resumed = resumeCredentialRotation(app, 'db', switched, first.stash);
    expect(resumed).toMatchObject({ resume: true, previousUser: 'shop', nextUser: 'shop_b', version: '1' });
    // A stash that does not match the live Secret (changed by hand) is refused, naming both.
    expect(() => resumeCredentialRotation(app, 'db', live('shop_b', 'other', '1'), first.stash)).toThrow(
      /shop-db-credentials-rotation \(left by an unfinished rotation of db\) does not match shop-db-credentials/,
    );
  });
});

describe('the pod templates a rotation annotates', () => {
  const objects = renderObjects(app).objects;
  const services = new Set(Object.keys(app.services));
  const skip = (o: KubeObject) => !services.has(o.metadata.labels?.['app.kubernetes.io/name'] ?? '');

  it('are the services that read the Secret, never the database or its backup', () => {
    const { changed } = annotateReaders(objects, [
      { secret: 'shop-db-credentials', annotation: credentialsAnnotation('db'), value: '1', skip },
    ]);
    expect(changed).toEqual(['CronJob/shop-nightly', 'Deployment/shop-api', 'Deployment/shop-worker']);
    // Without the skip the StatefulSet and the backup CronJob would have restarted too.
    expect(
      annotateReaders(objects, [
        { secret: 'shop-db-credentials', annotation: credentialsAnnotation('db'), value: '1' },
      ]).changed,
    ).toEqual(expect.arrayContaining(['StatefulSet/shop-db', 'CronJob/shop-db-backup']));
  });

  it('carry what render writes for the same version: a later deploy changes nothing', () => {
    const versions = { db: '4', cache: '2' };
    const rotated = annotateReaders(objects, [
      { secret: 'shop-db-credentials', annotation: credentialsAnnotation('db'), value: '4', skip },
      { secret: 'shop-cache-credentials', annotation: credentialsAnnotation('cache'), value: '2', skip },
    ]).objects;
    expect(renderObjects({ ...app, credentialVersions: versions }).objects).toEqual(rotated);
  });
});
