/**
 * The chart's fixed files: Chart.yaml, _helpers.tpl, NOTES.txt and the `helm test` smoke hook.
 */
import { toYaml, type FormatWarning } from '../formats.js';
import type { KubeObject } from '../kube.js';
import { valueRef } from './emit.js';

/** An unprivileged image with curl and sh; its user is uid 100 (curl_user), gid 101. */
export const SMOKE_TEST_IMAGE = 'curlimages/curl:8.11.1';
export const SMOKE_TEST_UID = 100;
export const SMOKE_TEST_GID = 101;
const DEFAULT_CHART_VERSION = '0.1.0';
const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Chart versions must be SemVer 2 (helm lint refuses others); `1.4` becomes `1.4.0`. */
export function chartVersion(version: string | undefined, warnings: FormatWarning[]): string {
  if (!version) {
    warnings.push({
      format: 'helm',
      path: 'version',
      message: `no version in the spec; the chart is version ${DEFAULT_CHART_VERSION}`,
    });
    return DEFAULT_CHART_VERSION;
  }
  if (SEMVER.test(version)) return version.replace(/^v/, '');
  const parts = /^v?(\d+)(?:\.(\d+))?$/.exec(version);
  if (parts) return `${parts[1]}.${parts[2] ?? 0}.0`;
  const meta = version.replace(/[^0-9A-Za-z.-]/g, '-');
  warnings.push({
    format: 'helm',
    path: 'version',
    message: `"${version}" is not SemVer; the chart version is 0.0.0+${meta} (appVersion keeps "${version}")`,
  });
  return `0.0.0+${meta}`;
}

export function chartYaml(
  name: string,
  version: string,
  appVersion: string | undefined,
  description: string | undefined,
): string {
  const chart: Record<string, unknown> = {
    apiVersion: 'v2',
    name,
    description: description ?? `${name}, rendered by Slipway from slipway.yaml`,
    type: 'application',
    version,
  };
  if (appVersion) chart.appVersion = appVersion;
  return toYaml(chart);
}

export function helpersTpl(chart: string, commonLabels: Record<string, string>): string {
  const labelLines = Object.entries(commonLabels).map(([k, v]) => toYaml({ [k]: v }).trimEnd());
  return [
    `{{/* The chart name. */}}`,
    `{{- define "${chart}.name" -}}`,
    `${chart}`,
    `{{- end }}`,
    ``,
    `{{/* Name and version, as the helm.sh/chart label convention writes them. */}}`,
    `{{- define "${chart}.chart" -}}`,
    `{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}`,
    `{{- end }}`,
    ``,
    `{{/* Labels every object of the app carries (identical in every environment). */}}`,
    `{{- define "${chart}.labels" -}}`,
    ...labelLines,
    `{{- end }}`,
    ``,
    `{{/* Labels of the helm test smoke pod, which the test NetworkPolicy lets through. */}}`,
    `{{- define "${chart}.testLabels" -}}`,
    `app.kubernetes.io/name: {{ include "${chart}.name" . }}-smoke-test`,
    `app.kubernetes.io/instance: {{ .Release.Name }}`,
    `app.kubernetes.io/component: smoke-test`,
    `helm.sh/chart: {{ include "${chart}.chart" . }}`,
    `{{- end }}`,
    ``,
  ].join('\n');
}

export interface SmokeTarget {
  /** Service name, port and an HTTP path that should answer (the readiness path when known). */
  name: string;
  port: number;
  path: string;
  /** Whether a 4xx/5xx fails the test: only when the path is a health endpoint we know. */
  fail: boolean;
  /** Pod labels behind the Service, for the NetworkPolicy that admits the smoke pod. */
  selector: Record<string, string>;
}

const HTTP_PORT = /^(http|https|web)(-|$)/;

/** One target per HTTP port of each Service; other protocols (postgres, redis) are not probed. */
export function smokeTargets(objects: KubeObject[]): SmokeTarget[] {
  const targets: SmokeTarget[] = [];
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const spec = (svc.spec ?? {}) as {
      ports?: { name?: string; port: number; targetPort?: unknown; appProtocol?: string }[];
      selector?: Record<string, string>;
    };
    if (!spec.selector) continue;
    for (const port of spec.ports ?? []) {
      if (!HTTP_PORT.test(port.name ?? '') && port.appProtocol !== 'http') continue;
      const path = readinessPath(objects, spec.selector, port.targetPort);
      targets.push({
        name: svc.metadata.name,
        port: port.port,
        path: path ?? '/',
        fail: path !== undefined,
        selector: spec.selector,
      });
    }
  }
  return targets;
}

function readinessPath(
  objects: KubeObject[],
  selector: Record<string, string>,
  targetPort: unknown,
): string | undefined {
  for (const workload of objects) {
    const template = (
      workload.spec as
        | { template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: unknown[] } } }
        | undefined
    )?.template;
    const labels = template?.metadata?.labels ?? {};
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
    for (const c of (template?.spec?.containers ?? []) as {
      readinessProbe?: { httpGet?: { path?: string; port?: unknown } };
      ports?: { name?: string; containerPort?: number }[];
    }[]) {
      const get = c.readinessProbe?.httpGet;
      if (!get?.path) continue;
      const probePort = get.port;
      const named = c.ports?.find((p) => p.name === probePort || p.containerPort === probePort);
      if (probePort === targetPort || named?.name === targetPort || named?.containerPort === targetPort)
        return get.path;
    }
  }
  return undefined;
}

/**
 * The template expression of the namespace the app's objects are in: the literal namespace when every
 * environment shares one (the object templates then carry it literally too), else the release's.
 */
export function namespaceExpr(namespaces: string[]): string {
  const shared = new Set(namespaces);
  return shared.size === 1 ? JSON.stringify(namespaces[0]) : '$.Release.Namespace';
}

/**
 * The smoke Pod and the NetworkPolicies that let it through the app's default deny; test hooks. They go
 * where the app's objects are (`ns`, from namespaceExpr), so `helm test` works whatever --namespace the
 * release was installed with.
 */
export function smokeTestTemplate(chart: string, ns = '$.Release.Namespace'): string {
  const targets = valueRef(['tests', 'targets']);
  return `{{- if ${targets} }}
# helm test: one request to each HTTP port of each Service of this environment.
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-smoke-test
  namespace: {{ ${ns} }}
  labels:
    {{- include "${chart}.testLabels" . | nindent 4 }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-weight: "1"
    helm.sh/hook-delete-policy: before-hook-creation
    slipway.dev/ignore: net-no-network-policy
    slipway.dev/ignore-reason: a helm test hook that lives for one request per Service; the app's policies admit it
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: ${SMOKE_TEST_UID}
    runAsGroup: ${SMOKE_TEST_GID}
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: smoke
      image: {{ .Values.tests.image | toJson }}
      command: ["sh", "-c"]
      args:
        - |
          set -e
          {{- range ${targets} }}
          echo "GET http://{{ .name }}:{{ .port }}{{ .path }}"
          curl --silent --show-error --output /dev/null --max-time 5 --retry 5 --retry-connrefused {{ if .fail }}--fail {{ end }}"http://{{ .name }}.{{ ${ns} }}.svc:{{ .port }}{{ .path }}"
          {{- end }}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
      resources:
        requests: { cpu: 10m, memory: 16Mi }
        limits: { cpu: 100m, memory: 32Mi }
{{- range ${targets} }}
---
# Admits the smoke pod to {{ .name }} through the app's default-deny NetworkPolicy.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ $.Release.Name }}-smoke-test-{{ .name }}-{{ .port }}
  namespace: {{ ${ns} }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  podSelector:
    matchLabels: {{ .selector | toJson }}
  policyTypes: ["Ingress"]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              {{- include "${chart}.testLabels" $ | nindent 14 }}
{{- end }}
{{- end }}
`;
}

export function notesTxt(chart: string, services: string[], ns = '$.Release.Namespace'): string {
  return [
    `{{ include "${chart}.name" . }} {{ .Chart.AppVersion }} is released as {{ .Release.Name }} in namespace {{ .Release.Namespace }}.`,
    ``,
    `Services: ${services.join(', ') || '(none)'}`,
    `{{- with .Values.ingresses }}`,
    ``,
    `Public addresses:`,
    `{{- range $name, $ingress := . }}{{ range $ingress.rules }}`,
    `  {{ $name }}: https://{{ .host }}{{ end }}{{ end }}`,
    `{{- end }}`,
    ``,
    `Check it:`,
    `  kubectl --namespace {{ ${ns} }} get pods -l app.kubernetes.io/part-of=${chart}`,
    `  helm test {{ .Release.Name }} --namespace {{ .Release.Namespace }}`,
    ``,
  ].join('\n');
}
