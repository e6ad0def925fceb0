import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { humanDuration } from './age.js';
import { toTable } from './table.js';

const now = new Date('2026-01-01T12:00:00Z');

describe('Table responses', () => {
  it('prints pod columns as kubectl shows them, wide columns at priority 1', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', creationTimestamp: '2026-01-01T11:55:00Z', managedFields: [{}] },
      spec: { nodeName: 'sandbox-node', containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        podIP: '127.1.0.4',
        containerStatuses: [
          { ready: true, restartCount: 2 },
          { ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
    };
    const table = toTable('pods', [pod], { includeObject: 'Metadata', now }) as {
      columnDefinitions: { name: string; priority: number }[];
      rows: { cells: unknown[]; object: { kind: string; metadata: Record<string, unknown> } }[];
    };
    expect(table.columnDefinitions.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Status:0',
      'Restarts:0',
      'Age:0',
      'IP:1',
      'Node:1',
      'Nominated Node:1',
      'Readiness Gates:1',
    ]);
    expect(table.rows[0]?.cells).toEqual([
      'web-1',
      '1/2',
      'CrashLoopBackOff',
      '3',
      '5m',
      '127.1.0.4',
      'sandbox-node',
      '<none>',
      '<none>',
    ]);
    expect(table.rows[0]?.object.kind).toBe('PartialObjectMetadata');
    expect(table.rows[0]?.object.metadata.managedFields).toBeUndefined();
  });

  it('falls back to NAME and AGE, and omits headers on later watch events', () => {
    const route: KubeObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', creationTimestamp: '2026-01-01T10:00:00Z' },
    };
    const table = toTable('httproutes', [route], { includeObject: 'None', noHeaders: true, now }) as {
      columnDefinitions: unknown;
      rows: { cells: unknown[]; object?: unknown }[];
    };
    expect(table.columnDefinitions).toBeNull();
    expect(table.rows[0]).toEqual({ cells: ['r', '120m'] });
  });

  it('formats ages like apimachinery HumanDuration', () => {
    expect(
      [
        5_000,
        125_000,
        600_000,
        3 * 3600_000 + 60_000,
        30 * 3600_000,
        3 * 86400_000 + 3600_000,
        400 * 86400_000,
      ].map(humanDuration),
    ).toEqual(['5s', '2m5s', '10m', '3h1m', '30h', '3d1h', '400d']);
  });
});
