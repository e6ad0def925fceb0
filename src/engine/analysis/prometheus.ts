/**
 * Prometheus: one instant query per measurement over the HTTP API (`GET /api/v1/query`,
 * https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries), each returned
 * sample checked against the spec's max/min. An empty result (no series, or only NaN, which is
 * what `rate(x[1m]) / rate(y[1m])` gives when no requests came) is never read as a pass or a
 * fail by accident: the spec's `noData` decides, and by default it is inconclusive.
 */
import { UserError } from '../../errors.js';
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

export class PrometheusProvider implements AnalysisProvider {
  readonly kind = 'prometheus';
  readonly resolved: { query: string; address: string; condition: string; noData: string };

  constructor(
    private readonly address: string,
    private readonly query: string,
    private readonly condition: Condition,
    private readonly noData: 'inconclusive' | 'pass' | 'fail',
    private readonly env: Pick<AnalysisEnv, 'clock' | 'fetch'>,
  ) {
    this.resolved = { query, address, condition: describeCondition(condition), noData };
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
    const url = `${this.address.replace(/\/$/, '')}/api/v1/query?${new URLSearchParams({ query: this.query })}`;
    let body: QueryResponse;
    const request = withTimeout(
      this.env.clock,
      signal,
      ANALYSIS_REQUEST_TIMEOUT_MS,
      'the Prometheus query time limit',
    );
    try {
      const res = await (this.env.fetch ?? fetch)(url, { signal: request.signal });
      body = (await res.json()) as QueryResponse;
      if (!res.ok && body.status !== 'error') return done('error', `Prometheus answered HTTP ${res.status}`);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      return done('error', `cannot query Prometheus at ${this.address}: ${(err as Error).message}`);
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
    const address = spec.prometheus?.address ?? env.prometheusAddress;
    if (!address) {
      throw new UserError('no Prometheus address for this analysis', {
        code: 'analysis-prometheus-address',
        path: `${where}.prometheus.address`,
        hint: 'pass --prometheus-url URL, set prometheus.address in slipway.yaml (e.g. http://prometheus.monitoring:9090), or deploy with --skip-analysis',
      });
    }
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
      resolveTemplate(address, env.vars, `${where}.prometheus.address`),
      query,
      condition,
      spec.noData ?? ANALYSIS_NO_DATA,
      env,
    );
  },
};
