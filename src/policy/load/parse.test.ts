import { describe, expect, it } from 'vitest';
import { parseManifests } from './parse.js';

const TEXT = `# comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx
---
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: c}
`;

describe('parseManifests', () => {
  const parsed = parseManifests(TEXT, 'a.yaml');

  it('reads every object of a multi-document stream, skipping empty documents and expanding Lists', () => {
    expect(parsed.problems).toEqual([]);
    expect(parsed.manifests.map((m) => `${m.ref.kind}/${m.ref.namespace ?? ''}/${m.ref.name}`)).toEqual([
      'Deployment/shop/web',
      'ConfigMap//c',
    ]);
  });

  it('places a field at its key, and a missing field at its nearest existing parent', () => {
    const web = parsed.manifests[0];
    if (!web) throw new Error('missing');
    const containers = ['spec', 'template', 'spec', 'containers'];
    expect(web.locate([...containers, 0, 'image'])).toEqual({ line: 12, column: 11 });
    expect(web.locate([...containers, 0, 'resources', 'limits'])).toEqual({ line: 11, column: 11 });
    expect(web.locate([...containers, 0])).toEqual({ line: 11, column: 11 });
    expect(web.start).toEqual({ line: 2, column: 1 });
  });

  it('places List items inside the List', () => {
    const c = parsed.manifests[1];
    expect(c?.locate(['metadata', 'name'])).toEqual({ line: 20, column: 16 });
  });

  it('reports bad YAML with file:line:col', () => {
    const bad = parseManifests('a: 1\nb: [1, 2\nc: 3\n', 'bad.yaml');
    expect(bad.problems[0]?.location?.file).toBe('bad.yaml');
    expect(bad.problems[0]?.location?.line).toBeGreaterThan(1);
    expect(bad.manifests).toEqual([]);
  });

  it('reports a document that is not an object, and an object without a name', () => {
    const bad = parseManifests('just a string\n---\napiVersion: v1\nkind: Pod\nmetadata: {}\n', 'x.yaml');
    expect(bad.problems.map((p) => `${p.location?.line}:${p.message}`)).toEqual([
      '1:a YAML document is not a Kubernetes object (expected a mapping with apiVersion and kind)',
      '3:Pod has no metadata.name',
    ]);
  });

  it("names Helm's template file from the # Source comment and places fields on the template's lines", () => {
    const stream =
      '---\n# Source: mychart/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n';
    const template = '# a Service\napiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n';
    const sourceFile = (s: string) => `chart/${s.split('/').slice(1).join('/')}`;
    const rendered =
      '---\n# Source: mychart/templates/svc.yaml\n# a Service\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n';
    const helm = parseManifests(rendered, 'chart', { sourceFile, templateText: () => template });
    expect(helm.manifests[0]?.file).toBe('chart/templates/svc.yaml');
    expect(helm.manifests[0]?.locate(['metadata', 'name'])).toEqual({ line: 5, column: 3 });
    expect(helm.manifests[0]?.start).toEqual({ line: 2, column: 1 });
    expect(helm.editable).toBe(false);
    // A template that cannot be read (a packaged subchart): line 1 of the named file, marked approximate.
    const unread = parseManifests(stream, 'chart', { sourceFile, templateText: () => undefined });
    expect(unread.manifests[0]?.locate(['metadata', 'name'])).toEqual({
      line: 1,
      column: 1,
      approximate: true,
    });
  });
});

describe('YAML 1.1 as kubectl reads it', () => {
  it('reads yes/on as booleans, 0644 as octal, merge keys, and keeps dates as strings', () => {
    const parsed = parseManifests(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {since: 2024-01-01}\nx: &x {mode: 0644, on: yes}\nz:\n  <<: *x\n',
      'c.yaml',
    );
    expect(parsed.manifests[0]?.body).toMatchObject({
      metadata: { annotations: { since: '2024-01-01' } },
      x: { mode: 420, true: true },
      z: { mode: 420 },
    });
  });

  it('rejects duplicate keys with a position', () => {
    const parsed = parseManifests('apiVersion: v1\nkind: Pod\nkind: Pod\nmetadata: {name: p}\n', 'd.yaml');
    expect(parsed.problems[0]?.location).toMatchObject({ file: 'd.yaml', line: 3 });
  });
});

describe('identity errors', () => {
  it('says when apiVersion or the name is not a string', () => {
    expect(
      parseManifests('apiVersion: 1\nkind: X\nmetadata: {name: a}\n', 'a.yaml').problems[0]?.message,
    ).toBe('apiVersion must be a string (quote it: "1")');
    expect(
      parseManifests('apiVersion: v1\nkind: Pod\nmetadata: {name: 123}\n', 'a.yaml').problems[0]?.message,
    ).toBe('metadata.name must be a string (quote it: "123")');
  });
});
