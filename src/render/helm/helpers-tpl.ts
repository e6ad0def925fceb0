/**
 * templates/_helpers.tpl: the name helpers of `helm create` (name, fullname with nameOverride and
 * fullnameOverride, chart), the labels every object carries and the smoke test pod's labels.
 */
import { toYaml } from '../yaml.js';
import { hasMarker } from './release.js';

/**
 * `commonLabels`: label pairs every object carries; a value naming the release (a marked string,
 * release.ts) is printed with `expr`, the others literally.
 */
export function helpersTpl(
  chart: string,
  commonLabels: Record<string, string>,
  expr: (marked: string) => string,
): string {
  const labelLines = Object.entries(commonLabels).map(([k, v]) =>
    hasMarker(v)
      ? `${toYaml({ [k]: null })
          .trimEnd()
          .slice(0, -' null'.length)} ${expr(v)}`
      : toYaml({ [k]: v }).trimEnd(),
  );
  return [
    `{{/* The chart name, or nameOverride. */}}`,
    `{{- define "${chart}.name" -}}`,
    `{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}`,
    `{{- end }}`,
    ``,
    `{{/*`,
    `The prefix of every object name: fullnameOverride; else the release name when it contains the`,
    `chart name (a release named like the app gets exactly the names of slipway render); else`,
    `<release>-<name>. At most 63 characters, the limit of a DNS label.`,
    `*/}}`,
    `{{- define "${chart}.fullname" -}}`,
    `{{- if .Values.fullnameOverride }}`,
    `{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}`,
    `{{- else }}`,
    `{{- $name := default .Chart.Name .Values.nameOverride }}`,
    `{{- if contains $name .Release.Name }}`,
    `{{- .Release.Name | trunc 63 | trimSuffix "-" }}`,
    `{{- else }}`,
    `{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}`,
    `{{- end }}`,
    `{{- end }}`,
    `{{- end }}`,
    ``,
    `{{/* Name and version, as the helm.sh/chart label convention writes them. */}}`,
    `{{- define "${chart}.chart" -}}`,
    `{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}`,
    `{{- end }}`,
    ``,
    `{{/* Labels every object of the release carries (identical in every environment). */}}`,
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
