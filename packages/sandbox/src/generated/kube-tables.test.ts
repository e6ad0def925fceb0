import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../testing/shared.js';
import { RESOURCES, SCHEMAS } from './kube-tables.js';
import { renderKubeTables } from './render-tables.js';

const tablesFile = fileURLToPath(new URL('./kube-tables.ts', import.meta.url));
const swagger = sharedPath('kubernetes-openapi', 'swagger-v1.36.json');

describe('generated Kubernetes tables', () => {
  it.skipIf(!swagger)(
    'are current with the official OpenAPI document (regenerate: npx tsx packages/sandbox/scripts/gen-kube-tables.ts)',
    () => {
      const document = JSON.parse(readFileSync(swagger as string, 'utf8')) as unknown;
      expect(renderKubeTables(document) === readFileSync(tablesFile, 'utf8')).toBe(true);
    },
  );

  it('stay small enough to commit comfortably', () => {
    expect(statSync(tablesFile).size).toBeLessThan(400 * 1024);
  });

  it('carry the merge metadata strategic merge and server-side apply rely on', () => {
    const podSpec = SCHEMAS['io.k8s.api.core.v1.PodSpec'];
    expect(podSpec?.properties?.containers?.['x-kubernetes-patch-merge-key']).toBe('name');
    expect(podSpec?.properties?.containers?.['x-kubernetes-list-map-keys']).toEqual(['name']);
    const container = SCHEMAS['io.k8s.api.core.v1.Container'];
    expect(container?.properties?.ports?.['x-kubernetes-list-map-keys']).toEqual([
      'containerPort',
      'protocol',
    ]);
    expect(SCHEMAS['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']?.['x-kubernetes-map-type']).toBe(
      'atomic',
    );
  });

  it('list every served kind with its scope and subresources', () => {
    const find = (resource: string) => RESOURCES.find((r) => r.resource === resource);
    expect(find('deployments')).toMatchObject({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      namespaced: true,
      subresources: ['scale', 'status'],
    });
    expect(find('namespaces')).toMatchObject({ namespaced: false });
    expect(find('pods')?.subresources).toEqual(['log', 'status']);
    expect(find('httproutes')).toMatchObject({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' });
    expect(find('httproutes')?.definition).toBeUndefined();
  });
});
