/**
 * Environment names as the target Kubernetes accepts them (issue 18): dotted names go through the
 * env ConfigMap like any other; a relaxed name (kubernetes.version 1.32+) that no ConfigMap key
 * can hold is set on the container, where the API server accepts it.
 */
import { describe, expect, it } from 'vitest';
import type { UserErrors } from '../../src/errors.js';
import { renderApp } from '../../src/render/index.js';
import { parseSpec, resolveEnvironment } from '../../src/spec/index.js';

const spec = (version: string) =>
  `app: shop\nversion: "1.0.0"\nkubernetes: { version: "${version}" }\nservices:\n  api:\n    image: ghcr.io/acme/api\n    port: 8080\n    env: { "JAVA OPTS": "-Xmx1g", discovery.type: single-node }\n`;

describe('env names by kubernetes.version', () => {
  it('1.33: the dotted name in the ConfigMap, the name with a space on the container', () => {
    const app = resolveEnvironment(parseSpec(spec('1.33'), 'slipway.yaml'), 'default');
    const objects = renderApp(app).objects;
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'shop-api-env') as
      { data?: Record<string, string> } | undefined;
    expect(config?.data).toEqual({ 'discovery.type': 'single-node' });
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> } } };
    };
    expect(deployment.spec.template.spec.containers[0]?.env).toContainEqual({
      name: 'JAVA OPTS',
      value: '-Xmx1g',
    });
  });

  it('1.31: the name with a space is refused at its key, the dotted one is not', () => {
    let text = '';
    try {
      parseSpec(spec('1.31'), 'slipway.yaml');
    } catch (error) {
      text = (error as UserErrors).format();
    }
    expect(text).toBe(
      'slipway.yaml:8:12 services.api.env.JAVA OPTS: "JAVA OPTS" is not an environment variable name Kubernetes 1.31 accepts\n  hint: use letters, digits, _, - and . (not a digit first, not . or ..); any printable ASCII but = needs kubernetes.version: "1.32" or later',
    );
  });
});
