import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMAS } from '../../src/policy/generated/schemas.js';
import { renderSchemaModule } from '../../src/policy/schema/render-schemas.js';
import { validateObject } from '../../src/policy/schema/validate.js';
import { sharedPath } from '../helpers/shared.js';

const swagger = sharedPath('kubernetes-openapi', 'swagger-v1.36.json');

describe('policy schema table', () => {
  it.skipIf(!swagger)(
    'is current with ../shared/kubernetes-openapi (npx tsx scripts/gen-policy-schemas.ts)',
    () => {
      const committed = readFileSync(
        resolve(import.meta.dirname, '..', '..', 'src', 'policy', 'generated', 'schemas.ts'),
        'utf8',
      );
      expect(
        renderSchemaModule(JSON.parse(readFileSync(swagger as string, 'utf8')) as unknown, 'v1.36'),
      ).toBe(committed);
    },
  );

  it('covers the workload, networking, RBAC and policy kinds', () => {
    for (const k of [
      'v1/Pod',
      'apps/v1/Deployment',
      'batch/v1/CronJob',
      'networking.k8s.io/v1/Ingress',
      'policy/v1/PodDisruptionBudget',
      'rbac.authorization.k8s.io/v1/Role',
      'autoscaling/v2/HorizontalPodAutoscaler',
    ]) {
      expect(SCHEMAS.kinds[k], k).toBeDefined();
    }
  });

  it('accepts int-or-string and quantities in either form, and null anywhere', () => {
    const pdb = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'p', labels: null },
      spec: { maxUnavailable: '25%', selector: {} },
    };
    expect(validateObject(SCHEMAS, 'policy/v1', 'PodDisruptionBudget', pdb)).toEqual([]);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'a', resources: { limits: { cpu: 1, memory: '1Gi' } }, ports: [{ containerPort: 80 }] },
        ],
      },
    };
    expect(validateObject(SCHEMAS, 'v1', 'Pod', pod)).toEqual([]);
  });

  it('leaves kinds outside the table (custom resources) unvalidated', () => {
    expect(validateObject(SCHEMAS, 'argoproj.io/v1alpha1', 'Rollout', { anything: true })).toBeUndefined();
  });
});
