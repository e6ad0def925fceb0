/**
 * The API server's audit log, as kube-apiserver writes it with `--audit-log-path`: one
 * audit.k8s.io/v1 Event per request and stage, one JSON object a line, at the Metadata level (who
 * asked for what on which object, and the answer; no request or response bodies). The stages are
 * those of the usual audit policy, which omits RequestReceived: ResponseStarted for a long-running
 * request (a watch) once its headers are sent, and ResponseComplete for every request when its
 * response has ended. An event carries the authorization decision and what admission wrote on the
 * request (ValidatingAdmissionPolicy auditAnnotations, Audit-action failures); the response names
 * the same ID in its `Audit-Id` header.
 */
import { createWriteStream, openSync } from 'node:fs';

export type AuditStage = 'ResponseStarted' | 'ResponseComplete';

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata';
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  /** The Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection); the lower-cased HTTP method for other paths. */
  verb: string;
  /** Empty for a request that failed authentication. */
  user: { username?: string; groups?: string[] };
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: {
    resource: string;
    namespace?: string;
    name?: string;
    apiGroup?: string;
    apiVersion: string;
    subresource?: string;
  };
  /** Only the code for a success; status, reason and message too when the answer was a failure Status. */
  responseStatus?: {
    metadata: Record<string, never>;
    code: number;
    status?: string;
    reason?: string;
    message?: string;
  };
  /** RFC 3339 with microseconds (metav1.MicroTime). */
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** Where audit events go: the file of `slipway sandbox up --audit-log`, or a test's list. */
export interface AuditLog {
  write(event: AuditEvent): void;
  /** Resolves once everything written is on disk (or wherever the log keeps it). */
  close(): Promise<void>;
}

/**
 * Appends events to `path`, one JSON line each (created if missing, kept if there). The file is
 * opened at once, so a path that cannot be written fails the sandbox's start, not its first request.
 */
export function fileAuditLog(path: string): AuditLog {
  const out = createWriteStream(path, { fd: openSync(path, 'a') });
  return {
    write: (event) => void out.write(JSON.stringify(event) + '\n'),
    close: () => new Promise<void>((resolve) => out.end(() => resolve())),
  };
}

/** metav1.MicroTime: `2026-12-07T05:40:00.123000Z` (the clock has milliseconds). */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
