/**
 * The `helm test` hook: a Pod that requests every HTTP port of every Service of the release, and
 * the NetworkPolicies that admit it through the app's default deny.
 */
import { selectorFromSet, type NamedObject } from '@slipway/kube';
import { valueRef } from './emit.js';
import { INSTANCE_LABEL } from './release.js';

/** An unprivileged image with curl and sh; its user is uid 100 (curl_user), gid 101. */
export const SMOKE_TEST_IMAGE = 'curlimages/curl:8.11.1';
export const SMOKE_TEST_UID = 100;
export const SMOKE_TEST_GID = 101;

export interface SmokeTarget {
  /**
   * The Service's name after `<app>-` (the template puts the release's fullname before it), its
   * port and an HTTP path that should answer (the readiness path when known).
   */
  service: string;
  port: number;
  path: string;
  /** Whether a 4xx/5xx fails the test: only when the path is a health endpoint we know. */
  fail: boolean;
  /** Pod labels behind the Service but the instance label (the release's), for the NetworkPolicy that admits the smoke pod. */
  selector: Record<string, string>;
}

const HTTP_PORT = /^(http|https|web)(-|$)/;

/**
 * One target per HTTP port of each Service of the app (named `<app>-...`, selecting the app's
 * instance, as render writes every Service); other protocols (postgres, redis) are not probed.
 */
export function smokeTargets(objects: NamedObject[], app: string): SmokeTarget[] {
  const targets: SmokeTarget[] = [];
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const spec = (svc.spec ?? {}) as {
      ports?: { name?: string; port: number; targetPort?: unknown; appProtocol?: string }[];
      selector?: Record<string, string>;
    };
    if (!spec.selector || spec.selector[INSTANCE_LABEL] !== app || !svc.metadata.name.startsWith(`${app}-`))
      continue;
    const { [INSTANCE_LABEL]: _instance, ...selector } = spec.selector;
    for (const port of spec.ports ?? []) {
      if (!HTTP_PORT.test(port.name ?? '') && port.appProtocol !== 'http') continue;
      const path = readinessPath(objects, spec.selector, port.targetPort);
      targets.push({
        service: svc.metadata.name.slice(app.length + 1),
        port: port.port,
        path: path ?? '/',
        fail: path !== undefined,
        selector,
      });
    }
  }
  return targets;
}

function readinessPath(
  objects: NamedObject[],
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
    if (!selectorFromSet(selector).matches(labels)) continue;
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
 * The smoke Pod and the NetworkPolicies that let it through the app's default deny; test hooks, in the
 * release's namespace and named after the release like every other object.
 */
export function smokeTestTemplate(chart: string): string {
  const targets = valueRef(['tests', 'targets']);
  const fullname = `include "${chart}.fullname" $`;
  const ns = '$.Release.Namespace';
  return `{{- if ${targets} }}
# helm test: one request to each HTTP port of each Service of this environment.
apiVersion: v1
kind: Pod
metadata:
  name: {{ ${fullname} }}-smoke-test
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
          echo "GET http://{{ ${fullname} }}-{{ .service }}:{{ .port }}{{ .path }}"
          curl --silent --show-error --output /dev/null --max-time 5 --retry 5 --retry-connrefused {{ if .fail }}--fail {{ end }}"http://{{ ${fullname} }}-{{ .service }}.{{ ${ns} }}.svc:{{ .port }}{{ .path }}"
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
# Admits the smoke pod to {{ ${fullname} }}-{{ .service }} through the app's default-deny NetworkPolicy.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ ${fullname} }}-smoke-test-{{ .service }}-{{ .port }}
  namespace: {{ ${ns} }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  podSelector:
    matchLabels: {{ merge (dict "${INSTANCE_LABEL}" $.Release.Name) .selector | toJson }}
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
