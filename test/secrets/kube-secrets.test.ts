import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UserErrors } from '../../src/errors.js';
import { renderApp } from '../../src/render/index.js';
import { deploySecrets } from '../../src/secrets/kube-secrets.js';
import { resolved } from '../render/fixtures.js';
import { find } from '../render/helpers.js';

const app = resolved({
  services: {
    api: { image: 'ghcr.io/acme/api:1', port: 8080, secrets: ['STRIPE_KEY', 'JWT'] },
    bot: { image: 'ghcr.io/acme/bot:1', secrets: ['BOT_TOKEN'] },
    web: { image: 'ghcr.io/acme/web:1', port: 3000 },
  },
});
const dataKey = new Uint8Array(randomBytes(32));
const values = new Map([
  ['STRIPE_KEY', 'sk_live_1'],
  ['JWT', 'jwt-1'],
  ['BOT_TOKEN', 'bot-1'],
  ['UNUSED', 'u'],
]);

function templateChecksums(secrets: ReturnType<typeof deploySecrets>) {
  const { objects } = renderApp({ ...app, secretChecksums: secrets.checksums });
  return Object.fromEntries(
    ['api', 'bot', 'web'].map((s) => [
      s,
      (
        find(objects, 'Deployment', `shop-${s}`) as unknown as {
          spec: { template: { metadata: { annotations?: Record<string, string> } } };
        }
      ).spec.template.metadata.annotations?.['slipway.dev/secrets-checksum'],
    ]),
  );
}

describe('the Secrets a deploy applies', () => {
  it('one Secret per service with exactly the values it names, under the name its env entries reference', () => {
    const { objects } = deploySecrets(app, values, dataKey, 'secrets/dev.yaml');
    expect(objects.map((o) => o.metadata.name)).toEqual(['shop-api-secrets', 'shop-bot-secrets']);
    expect((objects[0] as unknown as { data: Record<string, string> }).data).toEqual({
      JWT: Buffer.from('jwt-1').toString('base64'),
      STRIPE_KEY: Buffer.from('sk_live_1').toString('base64'),
    });
    const rendered = renderApp(app).objects;
    const env = JSON.stringify(find(rendered, 'Deployment', 'shop-api'));
    expect(env).toContain('"secretKeyRef":{"name":"shop-api-secrets","key":"STRIPE_KEY"}');
  });

  it('a changed value changes the pod template of exactly the services that use it', () => {
    const before = templateChecksums(deploySecrets(app, values, dataKey, 'f'));
    expect(before.web).toBeUndefined();
    const changed = templateChecksums(
      deploySecrets(app, new Map([...values, ['BOT_TOKEN', 'bot-2']]), dataKey, 'f'),
    );
    expect(changed.api).toBe(before.api);
    expect(changed.bot).not.toBe(before.bot);
    const unrelated = templateChecksums(
      deploySecrets(app, new Map([...values, ['UNUSED', 'v']]), dataKey, 'f'),
    );
    expect(unrelated).toEqual(before);
  });

  it('a missing value fails naming the secret, the service and the environment', () => {
    const error = (() => {
      try {
        deploySecrets(app, new Map([['JWT', 'x']]), dataKey, 'secrets/dev.yaml');
      } catch (e) {
        return e;
      }
    })() as UserErrors;
    expect(error).toBeInstanceOf(UserErrors);
    expect(error.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'services.api.secrets: environment dev: secret STRIPE_KEY has no value in secrets/dev.yaml',
      'services.bot.secrets: environment dev: secret BOT_TOKEN has no value in secrets/dev.yaml',
    ]);
  });
});
