/**
 * Object names and label sets, in one place so the deploy step, the Helm writer and the policy
 * checker can compute the same names render used.
 */
import { ANNOTATION_PREFIX, MANAGED_BY } from './defaults.js';

/** `<app>-<part>`: every object of the app is prefixed so two apps can share a namespace. */
export function objectName(app: string, ...parts: string[]): string {
  return [app, ...parts].join('-');
}

/** The Secret holding a service's `secrets:` values, created outside render (slipway secrets / the deploy step). */
export function serviceSecretName(app: string, service: string): string {
  return objectName(app, service, 'secrets');
}

/** The Secret holding an in-cluster dependency's generated credentials, created by the deploy step. */
export function dependencyCredentialsName(app: string, dependency: string): string {
  return objectName(app, dependency, 'credentials');
}

/**
 * The pod-template annotation carrying the version of a dependency's credentials (bumped by
 * `slipway secrets rotate`), on the workloads whose env reads them: a rotation rolls exactly those.
 */
export function credentialsAnnotation(dependency: string): string {
  return `${ANNOTATION_PREFIX}/credentials-${dependency}`;
}

/** The pod-template annotation with the checksum of a managed dependency's endpoint (`deploy --infra-outputs`). */
export function endpointAnnotation(dependency: string): string {
  return `${ANNOTATION_PREFIX}/endpoint-${dependency}`;
}

/** The pod-template annotation with the keyed checksum of a service's `secrets:` values. */
export const SECRETS_CHECKSUM_ANNOTATION = `${ANNOTATION_PREFIX}/secrets-checksum`;

export interface LabelInput {
  app: string;
  /** The service or dependency key in the spec. */
  name: string;
  component: string;
  version?: string;
}

/** Only the labels that never change across releases; selectors are immutable on Deployments. */
export function selectorLabels(app: string, name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': app };
}

/** https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/ */
export function standardLabels(input: LabelInput): Record<string, string> {
  // selectorLabels' two labels written out (same order): no object spread for each object rendered.
  const labels: Record<string, string> = {
    'app.kubernetes.io/name': input.name,
    'app.kubernetes.io/instance': input.app,
    'app.kubernetes.io/component': input.component,
    'app.kubernetes.io/part-of': input.app,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
  if (input.version) labels['app.kubernetes.io/version'] = labelValue(input.version);
  return labels;
}

/** A label value: at most 63 of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63);
  return cleaned.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

/** Labels selecting every pod of the app, for the default-deny NetworkPolicy. */
export function appPodSelector(app: string): Record<string, string> {
  return { 'app.kubernetes.io/part-of': app };
}
