/** Reading request bodies and query options the way the apiserver's handlers do. */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeKubeProtobuf } from './protobuf.js';
import { ApiError } from './status.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024; // etcd's request limit the apiserver enforces

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(413, 'BadRequest', 'Request entity too large: limit is 3145728');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return (
    (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ??
    'application/json'
  );
}

/** JSON, YAML, or (for the few kinds typed clients send that way) Kubernetes protobuf. */
export function parseJsonOrYaml(body: Buffer, type: string): unknown {
  if (type.includes('protobuf')) return body.length ? decodeKubeProtobuf(body) : undefined;
  const text = body.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return type.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new ApiError(
      400,
      'BadRequest',
      `the body of the request could not be decoded: ${(e as Error).message}`,
    );
  }
}

export function queryFlag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

export function dryRunOf(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values)
    if (v !== 'All') throw new ApiError(400, 'BadRequest', `Invalid dry run value: ${JSON.stringify(v)}`);
  return values.length > 0;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation') ?? 'Warn';
  if (v !== 'Strict' && v !== 'Warn' && v !== 'Ignore')
    throw new ApiError(
      400,
      'BadRequest',
      `fieldValidation must be one of Strict, Warn, Ignore; got ${JSON.stringify(v)}`,
    );
  return v;
}

/** The manager name the apiserver derives from the user agent when none is given (`kubectl-client-side-apply` etc. come from the query). */
export function fieldManagerOf(req: IncomingMessage, q: URLSearchParams): string {
  const explicit = q.get('fieldManager');
  if (explicit) return explicit;
  const agent = req.headers['user-agent'] ?? 'unknown';
  return agent.split('/')[0] || 'unknown';
}
