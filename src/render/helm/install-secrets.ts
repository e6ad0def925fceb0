/**
 * The Secrets a Helm-only install needs (src/render/install-secrets.ts), made by the chart:
 * - dependency credentials as the Bitnami charts make theirs: `lookup` the live Secret and keep its
 *   data, else a `randAlphaNum` password; `helm.sh/resource-policy: keep`, so neither an upgrade
 *   nor an uninstall loses the password the database already holds;
 * - each service's `secrets:` from `serviceSecrets.<service>.<NAME>` when any is set (a key not
 *   set keeps its live value, else the install fails naming it); when none is set the chart
 *   makes nothing and NOTES.txt says what to create.
 */
import type { ResolvedApp } from '../../spec/resolved.js';
import { installSecrets } from '../install-secrets.js';
import type { Values } from './values.js';

const KEEP = '    helm.sh/resource-policy: keep';

/** This environment's values: `credentials`, `serviceSecrets` and `externalSecrets`, each only when non-empty. */
export function installSecretValues(app: ResolvedApp): Values {
  const wanted = installSecrets(app);
  const values: Values = {};
  if (wanted.credentials.length)
    values.credentials = Object.fromEntries(
      wanted.credentials.map(({ dependency, shape }) => {
        // `<app>-<svc>.<ns>.svc[.<domain>]`: the chart writes the release's fullname and namespace instead.
        const [service, domain = ''] = shape.host.slice(app.app.length + 1).split(`.${app.namespace}.svc`);
        return [
          dependency,
          {
            type: shape.type,
            keys: shape.keys,
            username: shape.username,
            userinfo: shape.keys.includes('username') ? encodeURIComponent(shape.username) : '',
            scheme: shape.scheme,
            service,
            domain,
            port: shape.port,
            path: shape.path,
          },
        ];
      }),
    );
  if (wanted.services.length)
    values.serviceSecrets = Object.fromEntries(
      wanted.services.map((s) => [s.service, Object.fromEntries(s.keys.map((k) => [k, '']))]),
    );
  if (wanted.external.length)
    values.externalSecrets = Object.fromEntries(wanted.external.map((e) => [e.name, e.keys]));
  return values;
}

/** A kept Secret's head, named `$name`, labelled with the template variable `owner` (`$dependency`, `$service`). */
function secretHeader(owner: string): string[] {
  return [
    `---`,
    `apiVersion: v1`,
    `kind: Secret`,
    `metadata:`,
    `  name: {{ $name }}`,
    `  namespace: {{ $.Release.Namespace }}`,
    `  labels:`,
    `    app.kubernetes.io/name: {{ ${owner} }}`,
    `    app.kubernetes.io/instance: {{ $.Release.Name }}`,
    `    app.kubernetes.io/managed-by: slipway`,
    `  annotations:`,
    KEEP,
  ];
}

export function credentialsTemplate(chart: string): string {
  const fullname = `(include "${chart}.fullname" $)`;
  return [
    `{{- /* Credentials of in-cluster dependencies: a random password on install, the live Secret's data on`,
    `every upgrade (lookup), never deleted by helm (resource-policy keep). Written by slipway render --format helm. */}}`,
    `{{- range $dependency, $c := .Values.credentials }}`,
    `{{- if $c }}`,
    `{{- $name := printf "%s-%s-credentials" ${fullname} $dependency }}`,
    `{{- $live := (lookup "v1" "Secret" $.Release.Namespace $name).data }}`,
    ...secretHeader('$dependency'),
    `type: {{ $c.type }}`,
    `{{- if $live }}`,
    `data: {{ $live | toJson }}`,
    `{{- else }}`,
    `{{- $password := randAlphaNum 32 }}`,
    `{{- $host := printf "%s-%s.%s.svc%s" ${fullname} $c.service $.Release.Namespace $c.domain }}`,
    `stringData:`,
    `{{- range $key := $c.keys }}`,
    `{{- if eq $key "username" }}`,
    `  username: {{ $c.username | toJson }}`,
    `{{- else if eq $key "password" }}`,
    `  password: {{ $password | toJson }}`,
    `{{- else if eq $key "url" }}`,
    `  url: {{ printf "%s://%s:%s@%s:%v%s" $c.scheme $c.userinfo $password $host $c.port $c.path | toJson }}`,
    `{{- else if eq $key "admin-password" }}`,
    `  admin-password: {{ randAlphaNum 32 | toJson }}`,
    `{{- end }}`,
    `{{- end }}`,
    `{{- end }}`,
    `{{- end }}`,
    `{{- end }}`,
    ``,
  ].join('\n');
}

export function serviceSecretsTemplate(chart: string): string {
  const fullname = `(include "${chart}.fullname" $)`;
  return [
    `{{- /* Each service's secrets: from serviceSecrets.<service>.<NAME> when any is set; a key not set keeps`,
    `its live value. Nothing is made when none is set (NOTES.txt says what to create). Written by slipway render --format helm. */}}`,
    `{{- range $service, $values := .Values.serviceSecrets }}`,
    `{{- $given := dict }}`,
    `{{- range $key, $value := $values }}{{ if $value }}{{ $_ := set $given $key $value }}{{ end }}{{ end }}`,
    `{{- if $given }}`,
    `{{- $name := printf "%s-%s-secrets" ${fullname} $service }}`,
    `{{- $live := (lookup "v1" "Secret" $.Release.Namespace $name).data | default dict }}`,
    ...secretHeader('$service'),
    `type: Opaque`,
    `data:`,
    `{{- range $key, $_ := $values }}`,
    `{{- if hasKey $given $key }}`,
    `  {{ $key | quote }}: {{ get $given $key | toString | b64enc | quote }}`,
    `{{- else if hasKey $live $key }}`,
    `  {{ $key | quote }}: {{ get $live $key | quote }}`,
    `{{- else }}`,
    `{{- fail (printf "serviceSecrets.%s.%s is not set and Secret %s has no such key: set it (--set serviceSecrets.%s.%s=...)" $service $key $name $service $key) }}`,
    `{{- end }}`,
    `{{- end }}`,
    `{{- end }}`,
    `{{- end }}`,
    ``,
  ].join('\n');
}

/** The NOTES.txt lines saying which Secrets the chart made and which the user must create. */
export function installSecretNotes(chart: string): string[] {
  const fullname = `{{ include "${chart}.fullname" $ }}`;
  return [
    `{{- with .Values.credentials }}`,
    ``,
    `Generated credentials (random on install, kept on upgrade and after uninstall):`,
    `{{- range $dependency, $_ := . }}`,
    `  secret/${fullname}-{{ $dependency }}-credentials`,
    `{{- end }}`,
    `{{- end }}`,
    `{{- range $service, $values := .Values.serviceSecrets }}`,
    `{{- $missing := list }}`,
    `{{- range $key, $value := $values }}{{ if not $value }}{{ $missing = append $missing $key }}{{ end }}{{ end }}`,
    `{{- if eq (len $missing) (len $values) }}`,
    ``,
    `Service {{ $service }} reads Secret ${fullname}-{{ $service }}-secrets, which this release did not make; its pods`,
    `wait until it exists. Set the values (helm upgrade ... {{ range $missing }}--set serviceSecrets.{{ $service }}.{{ . }}=... {{ end }}) or create it:`,
    `  kubectl --namespace {{ $.Release.Namespace }} create secret generic ${fullname}-{{ $service }}-secrets{{ range $missing }} --from-literal={{ . }}=...{{ end }}`,
    `{{- end }}`,
    `{{- end }}`,
    `{{- with .Values.namespaceLabels }}`,
    ``,
    `Pod Security Admission: helm does not label the namespace; label it once (the levels its pods meet):`,
    `  kubectl label namespace {{ $.Release.Namespace }} --overwrite{{ range $key, $value := . }} {{ $key }}={{ $value }}{{ end }}`,
    `{{- end }}`,
    `{{- with .Values.externalSecrets }}`,
    ``,
    `External dependencies read these Secrets, which you create in namespace {{ $.Release.Namespace }}:`,
    `{{- range $name, $keys := . }}`,
    `  secret/{{ $name }} with key{{ if gt (len $keys) 1 }}s{{ end }} {{ join ", " $keys }}`,
    `{{- end }}`,
    `{{- end }}`,
  ];
}
