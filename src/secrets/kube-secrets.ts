/**
 * The Kubernetes Secrets a deploy applies from an environment's opened secrets file: one
 * `<app>-<service>-secrets` per service that lists `secrets:` (the name its env entries already
 * reference), holding exactly the values that service names, and a checksum per service for its pod
 * template, so a changed value rolls exactly the workloads that use it.
 *
 * The checksum is an HMAC keyed with the file's data key, not a bare hash: it sits in the release
 * record and on live objects, where a plain sha256 of a short value could be guessed back.
 */
import { createHmac } from 'node:crypto';
import type { NamedObject } from '@slipway/kube';
import { UserErrors, type Problem } from '../errors.js';

/** The part of a resolved environment this needs. */
export interface SecretConsumers {
  app: string;
  environment: string;
  namespace: string;
  services: Record<string, { secrets?: string[] }>;
}

export interface DeploySecrets {
  /** Secret objects with their data; applied by the deploy, never recorded or printed. */
  objects: NamedObject[];
  /** Per service: the pod-template annotation value. */
  checksums: Record<string, string>;
}

export function secretObjectName(app: string, service: string): string {
  return `${app}-${service}-secrets`;
}

export function deploySecrets(
  app: SecretConsumers,
  values: ReadonlyMap<string, string>,
  dataKey: Uint8Array,
  file: string,
): DeploySecrets {
  const problems: Problem[] = [];
  const objects: NamedObject[] = [];
  const checksums: Record<string, string> = {};
  for (const service of Object.keys(app.services).sort()) {
    const names = app.services[service]?.secrets ?? [];
    if (names.length === 0) continue;
    const data: Record<string, string> = {};
    for (const name of [...names].sort()) {
      const value = values.get(name);
      if (value === undefined) {
        problems.push({
          path: `services.${service}.secrets`,
          message: `environment ${app.environment}: secret ${name} has no value in ${file}`,
          hint: `slipway secrets set ${name} --env ${app.environment}`,
        });
        continue;
      }
      data[name] = Buffer.from(value, 'utf8').toString('base64');
    }
    const hmac = createHmac('sha256', dataKey);
    for (const [k, v] of Object.entries(data)) hmac.update(`${k}\u0000${v}\u0000`);
    checksums[service] = hmac.digest('hex');
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: secretObjectName(app.app, service),
        namespace: app.namespace,
        labels: {
          'app.kubernetes.io/name': service,
          'app.kubernetes.io/part-of': app.app,
          'app.kubernetes.io/managed-by': 'slipway',
        },
      },
      type: 'Opaque',
      data,
    } as NamedObject);
  }
  if (problems.length) throw new UserErrors(problems, 'secrets-missing-value');
  return { objects, checksums };
}
