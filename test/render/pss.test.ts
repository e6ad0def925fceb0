import { describe, expect, it } from 'vitest';
import { renderApp } from '../../src/render/index.js';
import { pssViolations } from './pss-check.js';
import { FIXTURES, shop } from './fixtures.js';
import { containerOf, WORKLOAD_KINDS } from './helpers.js';

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
    app.services.api!.security = {
      relax: [{ rule: 'allowPrivilegeEscalation', reason: 'setuid helper binary' }],
    };
    const objects = renderApp(app).objects;
    expect(pssViolations(objects)).toEqual([
      'Deployment/shop-api: allowPrivilegeEscalation',
      expect.stringMatching(/^Job\/shop-api-migrate-[0-9a-f]{10}: allowPrivilegeEscalation$/),
    ]);
    expect(containerOf(objects.find((o) => o.kind === 'Deployment')!).securityContext).toMatchObject({
      allowPrivilegeEscalation: true,
    });
  });
});
