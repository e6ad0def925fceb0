import { describe, expect, it } from 'vitest';
import { classifyTemplate, mapDocument } from './template-map.js';

/** The 1-based template line of the rendered line that contains `needle` (undefined: approximate). */
function lineOf(template: string, rendered: string, needle: string) {
  const lines = rendered.split('\n');
  const index = lines.findIndex((l) => l.includes(needle));
  expect(index).toBeGreaterThanOrEqual(0);
  const map = mapDocument(classifyTemplate(template), lines);
  return { exact: map.exactLine(index), start: map.startLine, column: (c: number) => map.column(index, c) };
}

describe('mapping rendered Helm documents to template lines', () => {
  it('maps every line of a template without line-shifting constructs, inline values included', () => {
    const template =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  containers:\n    - name: web\n      image: {{ .Values.image }}\n      securityContext:\n        privileged: {{ .Values.privileged }}\n';
    const rendered =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: shop-web\nspec:\n  containers:\n    - name: web\n      image: nginx\n      securityContext:\n        privileged: true';
    expect(lineOf(template, rendered, 'privileged').exact).toBe(10);
    expect(lineOf(template, rendered, 'image').exact).toBe(8);
    // A column before the action is the same in the template; one inside the rendered value is the action's.
    expect(lineOf(template, rendered, 'image').column(7)).toBe(7);
    expect(lineOf(template, rendered, 'name: shop-web').column(11)).toBe(9);
  });

  it('keeps lines after an include | nindent exact and marks the lines it produced approximate', () => {
    const template = [
      '{{- if .Values.enabled }}',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  labels:',
      '    {{- include "x.labels" . | nindent 4 }}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          resources:',
      '            {{- toYaml .Values.resources | nindent 12 }}',
      '          securityContext:',
      '            runAsUser: 0',
      '{{- end }}',
    ].join('\n');
    const rendered = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  labels:',
      '    app: web',
      '    tier: front',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          resources:',
      '            limits:',
      '              cpu: 1',
      '          securityContext:',
      '            runAsUser: 0',
    ].join('\n');
    expect(lineOf(template, rendered, 'runAsUser').exact).toBe(16);
    expect(lineOf(template, rendered, 'kind:').exact).toBe(3);
    const cpu = lineOf(template, rendered, 'cpu: 1');
    expect(cpu.exact).toBeUndefined();
    expect(cpu.start).toBe(2);
    expect(lineOf(template, rendered, 'tier: front').exact).toBeUndefined();
  });

  it('maps each document a range renders after a --- to the same template lines', () => {
    const template = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: base',
      '{{- range .Values.services }}',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: {{ .name }}',
      'spec:',
      '  ports:',
      '    {{- range .ports }}',
      '    - port: {{ . }}',
      '    {{- end }}',
      '  type: ClusterIP',
      '{{- end }}',
    ].join('\n');
    const rendered = [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: b',
      'spec:',
      '  ports:',
      '    - port: 80',
      '    - port: 443',
      '  type: ClusterIP',
    ].join('\n');
    expect(lineOf(template, rendered, 'name: b').exact).toBe(10);
    expect(lineOf(template, rendered, 'port: 443').exact).toBe(14);
    expect(lineOf(template, rendered, 'type: ClusterIP').exact).toBe(16);
    expect(lineOf(template, rendered, 'kind: Service').start).toBe(7);
    // The first document of the file: the section before the `---`.
    expect(
      lineOf(template, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base', 'name: base').exact,
    ).toBe(4);
  });

  it('takes the branch an if/else rendered, and a value on a line of its own as approximate', () => {
    const template = [
      'kind: Pod',
      'spec:',
      '  {{- if .Values.host }}',
      '  hostNetwork: true',
      '  {{- else }}',
      '  hostPID: true',
      '  {{- end }}',
      '  nodeSelector:',
      '  {{ .Values.nodeSelector }}',
      '  restartPolicy: Always',
    ].join('\n');
    expect(
      lineOf(
        template,
        'kind: Pod\nspec:\n  hostPID: true\n  nodeSelector:\n  zone: a\n  restartPolicy: Always',
        'hostPID',
      ).exact,
    ).toBe(6);
    expect(
      lineOf(
        template,
        'kind: Pod\nspec:\n  hostNetwork: true\n  nodeSelector:\n  zone: a\n  restartPolicy: Always',
        'hostNetwork',
      ).exact,
    ).toBe(4);
    const selector = lineOf(
      template,
      'kind: Pod\nspec:\n  hostPID: true\n  nodeSelector:\n  zone: a\n  restartPolicy: Always',
      'zone: a',
    );
    expect(selector.exact).toBeUndefined();
    expect(selector.start).toBe(1);
    expect(
      lineOf(
        template,
        'kind: Pod\nspec:\n  hostPID: true\n  nodeSelector:\n  zone: a\n  restartPolicy: Always',
        'restartPolicy',
      ).exact,
    ).toBe(10);
  });

  it('reports nothing exact for a document that does not align with its template', () => {
    const map = mapDocument(classifyTemplate('kind: Pod\nspec: {}\n'), ['kind: Service', 'spec: {}']);
    expect(map.exactLine(0)).toBeUndefined();
    expect(map.exactLine(1)).toBeUndefined();
    expect(map.startLine).toBe(1);
  });

  it('leaves positions approximate for a document too large to align', () => {
    const template = [
      'kind: ConfigMap',
      'data:',
      ...Array.from({ length: 2100 }, (_, k) => `  k${k}: {{ .Values.v${k} }}`),
    ];
    const rendered = ['kind: ConfigMap', 'data:', ...Array.from({ length: 2100 }, (_, k) => `  k${k}: x`)];
    const big = mapDocument(classifyTemplate(template.join('\n')), rendered);
    expect(big.exactLine(0)).toBeUndefined();
    expect(big.startLine).toBe(1);
    // The same shape below the limit is exact.
    const small = mapDocument(classifyTemplate(template.slice(0, 1000).join('\n')), rendered.slice(0, 1000));
    expect(small.exactLine(999)).toBe(1000);
  });
});
