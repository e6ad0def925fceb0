import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../src/policy/load/parse.js';
import { evaluatePss } from '../../src/policy/pss/evaluate.js';
import { PSS_LATEST } from '../../src/policy/pss/version.js';
import { workloadOf } from '../../src/policy/workloads.js';
import { manifestsYaml, renderApp, type KubeObject } from '../../src/render/index.js';
import { FIXTURES, shop } from './fixtures.js';
import { containerOf, WORKLOAD_KINDS } from './helpers.js';

/**
 * Every rendered workload is admitted at Pod Security "restricted", judged by src/policy's PSS
 * evaluator (itself proven against the upstream pod-security-admission fixtures in
 * test/policy/pss-fixtures.test.ts).
 */
export function pssViolations(objects: KubeObject[]): string[] {
  const parsed = parseManifests(manifestsYaml(objects), 'rendered.yaml');
  const out: string[] = [];
  for (const m of parsed.manifests) {
    const w = workloadOf(m);
    if (!w) continue;
    const result = evaluatePss(w, 'restricted', PSS_LATEST);
    for (const v of result.violations) out.push(`${m.ref.kind}/${m.ref.name}: ${v.check.id}`);
  }
  return out;
}

describe('Pod Security "restricted"', () => {
  it('every workload of the shop fixture passes', () => {
    const objects = renderApp(shop()).objects;
    expect(objects.filter((o) => WORKLOAD_KINDS.has(o.kind)).length).toBe(7);
    expect(pssViolations(objects)).toEqual([]);
  });

  it.each(Object.keys(FIXTURES))('every workload of the %s fixture passes', (name) => {
    expect(pssViolations(renderApp(FIXTURES[name]!()).objects)).toEqual([]);
  });

  it('the check can fail: a relaxed service is reported', () => {
    const app = shop();
    app.services.api!.security = { relax: [{ rule: 'allowPrivilegeEscalation', reason: 'setuid helper binary' }] };
    const objects = renderApp(app).objects;
    expect(pssViolations(objects)).toEqual([
      'Deployment/shop-api: allowPrivilegeEscalation',
      expect.stringMatching(/^Job\/shop-api-migrate-[0-9a-f]{10}: allowPrivilegeEscalation$/),
    ]);
    expect(containerOf(objects.find((o) => o.kind === 'Deployment')!).securityContext).toMatchObject({ allowPrivilegeEscalation: true });
  });
});
