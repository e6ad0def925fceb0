/**
 * HTTP checks: one request per measurement, successful when the status matches (any 2xx unless
 * the spec names one), the body contains the expected text and the answer came within
 * maxLatency. Argo Rollouts' `web` provider is the model; like it, a request that could not be
 * made at all is an error measurement, not a failure.
 */
import { UserError } from '../../errors.js';
import type { Analysis } from '../../spec/schema.js';
import { withTimeout } from '../deadline.js';
import { ANALYSIS_REQUEST_TIMEOUT_MS } from '../defaults.js';
import { parseDuration } from '../../spec/duration.js';
import type {
  AnalysisEnv,
  AnalysisProvider,
  Measurement,
  MeasurementPhase,
  ProviderFactory,
} from './provider.js';
import { resolveTemplate } from './template.js';

export interface HttpCheck {
  url: string;
  status?: number;
  body?: string;
  maxLatencyMs?: number;
}

export class HttpProvider implements AnalysisProvider {
  readonly kind = 'http';
  readonly resolved: Record<string, unknown>;

  constructor(
    private readonly check: HttpCheck,
    private readonly env: Pick<AnalysisEnv, 'clock' | 'fetch'>,
  ) {
    this.resolved = { ...check };
  }

  async measure(signal: AbortSignal): Promise<Measurement> {
    const started = this.env.clock.now();
    const t0 = performance.now();
    const done = (phase: MeasurementPhase, message: string, value?: number): Measurement => ({
      phase,
      message,
      value,
      startedAt: started.toISOString(),
      finishedAt: this.env.clock.now().toISOString(),
    });
    let status: number;
    let text: string;
    const request = withTimeout(
      this.env.clock,
      signal,
      ANALYSIS_REQUEST_TIMEOUT_MS,
      'the HTTP check time limit',
    );
    try {
      const res = await (this.env.fetch ?? fetch)(this.check.url, {
        signal: request.signal,
        redirect: 'manual',
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      return done('error', `GET ${this.check.url} failed: ${(err as Error).message}`);
    } finally {
      request.dispose();
    }
    const latencyMs = Math.round(performance.now() - t0);
    const problems: string[] = [];
    if (this.check.status !== undefined ? status !== this.check.status : status < 200 || status > 299)
      problems.push(`status ${status}, expected ${this.check.status ?? '2xx'}`);
    if (this.check.body !== undefined && !text.includes(this.check.body))
      problems.push(`body does not contain ${JSON.stringify(this.check.body)}`);
    if (this.check.maxLatencyMs !== undefined && latencyMs > this.check.maxLatencyMs)
      problems.push(`latency ${latencyMs}ms > ${this.check.maxLatencyMs}ms`);
    if (problems.length) return done('failed', problems.join('; '), latencyMs);
    return done('successful', `status ${status} in ${latencyMs}ms`, latencyMs);
  }
}

export const httpFactory: ProviderFactory = {
  kind: 'http',
  matches: (spec: Analysis) => spec.http !== undefined,
  create(name, spec, env) {
    const where = `deploy.analysis.${name}.http`;
    const http = spec.http!;
    const url = resolveTemplate(http.url, env.vars, `${where}.url`);
    if (!/^https?:\/\//.test(url))
      throw new UserError(`"${url}" is not an http(s) URL`, {
        code: 'analysis-http-url',
        path: `${where}.url`,
        hint: 'write a full URL such as http://shop-api-preview.shop:8080/healthz',
      });
    const body = http.body === undefined ? undefined : resolveTemplate(http.body, env.vars, `${where}.body`);
    return new HttpProvider(
      {
        url,
        status: http.status,
        body,
        maxLatencyMs: http.maxLatency ? parseDuration(http.maxLatency) : undefined,
      },
      env,
    );
  },
};
