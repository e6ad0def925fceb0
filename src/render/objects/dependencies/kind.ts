/**
 * What an in-cluster dependency type needs to run as a StatefulSet, and the outputs `${dep.x}`
 * references resolve to. One file per type; adding a type means adding a file and one line in
 * catalog.ts.
 */
import type { Dependency } from '../../../spec/schema.js';

/** Where a reference's value comes from: a plain value, or a key of a Secret. */
export type Output = { value: string } | { secret: { name: string; key: string } };

export interface DependencyInstance {
  app: string;
  name: string;
  namespace: string;
  dependency: Dependency;
  /** `<app>-<name>`: the StatefulSet and its client Service. */
  objectName: string;
  /** DNS name of the client Service (`<objectName>.<namespace>.svc`). */
  host: string;
  /** The Secret the deploy step generates with this dependency's credentials. */
  credentials: string;
}

export interface DependencyKind {
  /** Image repository; the tag is the spec's `version`, else defaultVersion. */
  image: string;
  defaultVersion: string;
  component: string;
  port: { name: string; port: number };
  /** The image's documented non-root user; runAsUser/runAsGroup/fsGroup. */
  uid: number;
  gid: number;
  dataPath: string;
  /** Writable directories besides the data volume (each an emptyDir) for a read-only root filesystem. */
  scratch: string[];
  /** Set when the image cannot run with a read-only root: the reason is recorded as an annotation. */
  writableRoot?: string;
  /** Keys the deploy step must generate in the credentials Secret; empty when the server has no auth. */
  credentialKeys: string[];
  defaults: { cpu: string; memory: string };
  env(i: DependencyInstance): Array<Record<string, unknown>>;
  args?(i: DependencyInstance): string[];
  readiness: Record<string, unknown>;
  liveness: Record<string, unknown>;
  /** The values `${name.<output>}` may name. */
  outputs(i: DependencyInstance): Record<string, Output>;
}

export function secretEnv(name: string, secret: string, key: string): Record<string, unknown> {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

export function tcpProbe(port: number, periodSeconds: number): Record<string, unknown> {
  return { tcpSocket: { port }, periodSeconds, timeoutSeconds: 2, failureThreshold: 3 };
}

export function execProbe(command: string[], periodSeconds: number): Record<string, unknown> {
  return { exec: { command }, periodSeconds, timeoutSeconds: 5, failureThreshold: 3 };
}
