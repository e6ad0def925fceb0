import { describe, expect, it } from 'vitest';
import { newContext } from '../../src/render/context.js';
import { probes, renderProbe } from '../../src/render/objects/probes.js';
import { containerResources } from '../../src/render/objects/resources.js';
import type { HealthCheck, Resources } from '../../src/spec/schema.js';
import { resolved } from './fixtures.js';

const ctx = () => newContext(resolved({ services: {} }));

describe('renderProbe', () => {
  it.each<[string, HealthCheck, Record<string, unknown>]>([
    [
      'a path is an HTTP GET on the main port',
      '/healthz',
      { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
    ],
    [
      'tcp with its own port and timings',
      { tcp: true, port: 9000, initialDelay: '5s', period: '1m', timeout: '3s', failureThreshold: 5 },
      {
        tcpSocket: { port: 9000 },
        initialDelaySeconds: 5,
        periodSeconds: 60,
        timeoutSeconds: 3,
        failureThreshold: 5,
      },
    ],
    [
      'exec needs no port',
      { exec: ['pg_isready'] },
      { exec: { command: ['pg_isready'] }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
    ],
  ])('%s', (_n, check, probe) => {
    const c = ctx();
    expect(renderProbe(c, 'p', 'readiness', check, 8080)).toEqual({
      initialDelaySeconds: undefined,
      successThreshold: undefined,
      ...probe,
    });
    expect(c.problems).toEqual([]);
  });

  it.each<[string, HealthCheck, 'readiness' | 'liveness', string]>([
    [
      'two handlers',
      { http: '/', tcp: true },
      'readiness',
      'p: a health check needs exactly one of http, tcp or exec',
    ],
    ['no handler', { port: 80 }, 'readiness', 'p: a health check needs exactly one of http, tcp or exec'],
    [
      'liveness successThreshold above 1',
      { http: '/', successThreshold: 2 },
      'liveness',
      'p.successThreshold: liveness probes must have successThreshold 1',
    ],
  ])('%s is an error', (_n, check, kind, problem) => {
    const c = ctx();
    renderProbe(c, 'p', kind, check, 8080);
    expect(c.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([problem]);
  });

  it('rounds sub-second durations up and says so', () => {
    const c = ctx();
    expect(renderProbe(c, 'p', 'readiness', { http: '/', timeout: '1500ms' }, 80)).toMatchObject({
      timeoutSeconds: 2,
    });
    expect(c.warnings.map((w) => w.path)).toEqual(['p.timeout']);
  });

  it('a port without checks gets TCP readiness and liveness; no port, no probes', () => {
    expect(probes(ctx(), 's', {}, 8080)).toMatchObject({
      readinessProbe: { tcpSocket: { port: 8080 } },
      livenessProbe: { tcpSocket: { port: 8080 } },
      startupProbe: undefined,
    });
    expect(probes(ctx(), 's', {}, undefined)).toEqual({
      readinessProbe: undefined,
      livenessProbe: undefined,
      startupProbe: undefined,
    });
  });
});

describe('containerResources', () => {
  it.each<[string, Resources | undefined, Record<string, unknown>]>([
    [
      'defaults',
      undefined,
      { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
    ],
    [
      'cpu as a number: limit twice the request',
      { cpu: 0.5, memory: '512Mi' },
      { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    ],
    [
      'explicit limits win',
      { cpu: '250m', memory: '512Mi', limits: { cpu: 0.5, memory: '1Gi' } },
      { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1Gi' } },
    ],
    [
      'ephemeral storage request and limit',
      { ephemeralStorage: '1Gi' },
      {
        requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '1Gi' },
        limits: { cpu: '200m', memory: '128Mi', 'ephemeral-storage': '1Gi' },
      },
    ],
  ])('%s', (_n, resources, expected) => {
    expect(containerResources(ctx(), 's', resources)).toEqual(expected);
  });
});
