/**
 * Prometheus: one instant query per measurement over the HTTP API (`GET /api/v1/query`,
 * https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries), each returned
 * sample checked against the spec's max/min. An empty result (no series, or only NaN, which is
 * what `rate(x[1m]) / rate(y[1m])` gives when no requests came) is never read as a pass or a
 * fail by accident: the spec's `noData` decides, and by default it is inconclusive.
 */
import { UserError } from '../../errors.js';
import type { ServiceProxyRef } from '../../cluster/cluster.js';
import type { Analysis } from '../../spec/schema.js';
import { withTimeout } from '../deadline.js';
import { ANALYSIS_NO_DATA, ANALYSIS_REQUEST_TIMEOUT_MS } from '../defaults.js';
import {
  conditionOf,
  describeCondition,
  violation,
  type AnalysisEnv,
  type AnalysisProvider,
  type Condition,
  type Measurement,
  type MeasurementPhase,
  type ProviderFactory,
} from './provider.js';
import { resolveTemplate } from './template.js';

interface QueryResponse {
  status: 'success' | 'error';
  error?: string;
  errorType?: string;
  data?: { resultType: 'vector' | 'scalar' | 'matrix' | 'string'; result: unknown };
}

type Sample = [number, string];

const NO_DATA_PHASE: Record<'inconclusive' | 'pass' | 'fail', MeasurementPhase> = {
  inconclusive: 'inconclusive',
  pass: 'successful',
  fail: 'failed',
};

/** A URL the deployer reaches, or a Service reached through the API server's service proxy. */
export type PrometheusTarget = { address: string } | { service: ServiceProxyRef };

/** `[http:|https:]namespace/name:port` (the spec's syntax, checked by its schema) as a proxy reference. */
export function parseServiceRef(text: string): ServiceProxyRef | undefined {
  const m = /^(?:(https?):)?([^/:]+)\/([^/:]+):([^/:]+)$/.exec(text);
  if (!m) return undefined;
  return {
    scheme: (m[1] as 'http' | 'https' | undefined) ?? 'http',
    namespace: m[2]!,
    name: m[3]!,
    port: m[4]!,
  };
}

function describeTarget(target: PrometheusTarget): string {
  if ('address' in target) return target.address;
  const s = target.service;
  return `service ${s.namespace}/${s.name}:${s.port} (through the Kubernetes API server)`;
}

export class PrometheusProvider implements AnalysisProvider {
  readonly kind = 'prometheus';
  readonly resolved: { query: string; address: string; condition: string; noData: string };
  private readonly where: string;

  constructor(
    private readonly target: PrometheusTarget,
    private readonly query: string,
    private readonly condition: Condition,
    private readonly noData: 'inconclusive' | 'pass' | 'fail',
    private readonly env: Pick<AnalysisEnv, 'clock' | 'fetch' | 'cluster'>,
  ) {
    this.where = describeTarget(target);
    this.resolved = { query, address: this.where, condition: describeCondition(condition), noData };
  }

  /** One instant query: status and parsed body. */
  private async get(signal: AbortSignal): Promise<{ status: number; body: QueryResponse }> {
    if ('service' in this.target) {
      const proxyGet = this.env.cluster.serviceProxyGet?.bind(this.env.cluster);
      if (!proxyGet) throw new Error(`${this.env.cluster.description} has no API server service proxy`);
      const res = await proxyGet(this.target.service, 'api/v1/query', { query: this.query }, { signal });
      return { status: res.status, body: parseBody(res.body, res.status) };
    }
    const url = `${this.target.address.replace(/\/$/, '')}/api/v1/query?${new URLSearchParams({ query: this.query })}`;
    const res = await (this.env.fetch ?? fetch)(url, { signal });
    return { status: res.status, body: parseBody(await res.text(), res.status) };
  }

  async measure(signal: AbortSignal): Promise<Measurement> {
    const startedAt = this.env.clock.now().toISOString();
    const done = (phase: MeasurementPhase, message: string, value?: number | number[]): Measurement => ({
      phase,
      message,
      value,
      startedAt,
      finishedAt: this.env.clock.now().toISOString(),
    });
    let body: QueryResponse;
    const request = withTimeout(
      this.env.clock,
      signal,
      ANALYSIS_REQUEST_TIMEOUT_MS,
      'the Prometheus query time limit',
    );
    try {
      const res = await this.get(request.signal);
      body = res.body;
      if ((res.status < 200 || res.status > 299) && body.status !== 'error')
        return done('error', `Prometheus at ${this.where} answered HTTP ${res.status}`);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      return done('error', `cannot query Prometheus at ${this.where}: ${(err as Error).message}`);
    } finally {
      request.dispose();
    }
    if (body.status !== 'success' || !body.data)
      return done(
        'error',
        `Prometheus rejected the query: ${body.errorType ?? ''} ${body.error ?? ''}`.trim(),
      );

    const values = samplesOf(body.data)
      .map((s) => Number(s[1]))
      .filter((v) => !Number.isNaN(v));
    if (values.length === 0)
      return done(NO_DATA_PHASE[this.noData], `query returned no data; noData: ${this.noData}`);
    // Every series must meet the condition: a per-pod error rate over the limit on any pod fails.
    const misses = values
      .map((v) => violation(v, this.condition))
      .filter((m): m is string => m !== undefined);
    const value = values.length === 1 ? values[0] : values;
    if (misses.length) return done('failed', misses.join('; '), value);
    return done('successful', `${values.join(', ')} ${describeCondition(this.condition)}`, value);
  }
}

/** Prometheus answers JSON; anything else (an HTML error page, a proxy's plain-text 503) reads as an error body. */
function parseBody(text: string, status: number): QueryResponse {
  try {
    const body = JSON.parse(text) as QueryResponse & { kind?: string; message?: string };
    // The API server's own answer (a Status: no such Service, no endpoints, forbidden), not Prometheus's.
    if (body.kind === 'Status')
      return { status: 'error', errorType: `HTTP ${status} from the API server:`, error: body.message };
    return body;
  } catch {
    return { status: 'error', errorType: `HTTP ${status}`, error: text.slice(0, 200).trim() };
  }
}

function samplesOf(data: NonNullable<QueryResponse['data']>): Sample[] {
  switch (data.resultType) {
    case 'scalar':
      return [data.result as Sample];
    case 'vector':
      return (data.result as Array<{ value: Sample }>).map((r) => r.value);
    default:
      // A range query's matrix or a string is not a measurement; it reads as no data.
      return [];
  }
}

export const prometheusFactory: ProviderFactory = {
  kind: 'prometheus',
  matches: (spec: Analysis) => spec.prometheus !== undefined,
  create(name, spec, env) {
    const where = `deploy.analysis.${name}`;
    const target = targetOf(spec, env, where);
    const condition = conditionOf(spec);
    if (condition.max === undefined && condition.min === undefined) {
      throw new UserError('a Prometheus analysis needs a success condition', {
        code: 'analysis-condition',
        path: where,
        hint: 'add max: (e.g. max: 0.01 for an error rate) or min:',
      });
    }
    const query = resolveTemplate(spec.prometheus!.query, env.vars, `${where}.prometheus.query`);
    return new PrometheusProvider(
      'address' in target
        ? { address: resolveTemplate(target.address, env.vars, `${where}.prometheus.address`) }
        : target,
      query,
      condition,
      spec.noData ?? ANALYSIS_NO_DATA,
      env,
    );
  },
};

/** The entry's own address or service, else `--prometheus-url`, else the spec's `deploy.prometheus`. */
function targetOf(spec: Analysis, env: AnalysisEnv, where: string): PrometheusTarget {
  const candidates: Array<[{ address?: string; service?: string } | undefined, string]> = [
    [spec.prometheus, `${where}.prometheus`],
    [env.prometheusAddress ? { address: env.prometheusAddress } : undefined, '--prometheus-url'],
    [env.prometheus, 'deploy.prometheus'],
  ];
  for (const [candidate, path] of candidates) {
    if (candidate?.address) return { address: candidate.address };
    if (candidate?.service) {
      const service = parseServiceRef(candidate.service);
      if (!service)
        throw new UserError(`${path}.service: "${candidate.service}" is not NAMESPACE/SERVICE:PORT`, {
          code: 'analysis-prometheus-address',
          path: `${path}.service`,
          hint: 'write it as monitoring/prometheus:9090 (or https:monitoring/prometheus:9443)',
        });
      return { service };
    }
  }
  throw new UserError('no Prometheus address for this analysis', {
    code: 'analysis-prometheus-address',
    path: `${where}.prometheus.address`,
    hint: 'set deploy.prometheus.service in slipway.yaml (NAMESPACE/SERVICE:PORT of the in-cluster Prometheus, queried through the API server) or deploy.prometheus.address (a URL), pass --prometheus-url URL, or deploy with --skip-analysis',
  });
}
