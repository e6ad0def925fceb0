/**
 * Kubernetes Status error objects (k8s.io/apimachinery/pkg/api/errors): kubectl prints
 * `Error from server (<reason>): <message>`; client-node surfaces `.code` and the JSON body.
 */
import { StoreError } from '../types.js';

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: Record<string, unknown>;
  code: number;
}

/** HTTP reasons the REST layer emits besides the store's. */
export type ApiReason =
  | StoreError['reason']
  | 'Unauthorized'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'MethodNotAllowed'
  | 'Expired'
  | 'InternalError'
  | 'ServiceUnavailable';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: ApiReason,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export function successStatus(details: Record<string, unknown>): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}

export function toStatus(error: unknown): StatusBody {
  if (error instanceof ApiError) return statusBody(error.code, error.reason, error.message, error.details);
  if (error instanceof StoreError) {
    // The store says Gone; the API's reason for an expired resourceVersion is Expired.
    const reason = error.reason === 'Gone' ? 'Expired' : error.reason;
    return statusBody(error.status, reason, error.message, error.details);
  }
  const message = error instanceof Error ? error.message : String(error);
  return statusBody(500, 'InternalError', `Internal error occurred: ${message}`);
}
