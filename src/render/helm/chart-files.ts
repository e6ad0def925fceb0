/**
 * The chart's fixed files: Chart.yaml and NOTES.txt (_helpers.tpl: helpers-tpl.ts; the `helm test`
 * hook: smoke-test.ts).
 */
import { type FormatWarning } from '../format.js';
import { toYaml } from '../yaml.js';
import type { ChartDependency } from './subcharts.js';
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
  dependencies: ChartDependency[] = [],
): string {
  const chart: Record<string, unknown> = {
    apiVersion: 'v2',
    name,
    description: description ?? `${name}, rendered by Slipway from slipway.yaml`,
    type: 'application',
    version,
  };
  if (appVersion) chart.appVersion = appVersion;
  if (dependencies.length) chart.dependencies = dependencies;
  return toYaml(chart);
}

export function notesTxt(chart: string, services: string[], secretNotes: string[] = []): string {
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
    ...secretNotes,
    ``,
    `Check it:`,
    `  kubectl --namespace {{ .Release.Namespace }} get pods -l app.kubernetes.io/instance={{ .Release.Name }}`,
    `  helm test {{ .Release.Name }} --namespace {{ .Release.Namespace }}`,
    ``,
  ].join('\n');
}
