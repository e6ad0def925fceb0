import { describe, expect, it } from 'vitest';
import { newContext } from '../../src/render/context.js';
import {
  containerSecurityContext,
  podIdentity,
  podSecurityContext,
  relaxAnnotations,
} from '../../src/render/objects/security.js';
import type { Service } from '../../src/spec/schema.js';
import { resolved } from './fixtures.js';

const ctx = () => newContext(resolved({ services: {} }));

describe('security contexts', () => {
  it('defaults pass PSS restricted', () => {
    const svc: Service = { image: 'a:1' };
    expect(podSecurityContext(svc, podIdentity(ctx(), 'services.a', svc))).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: undefined,
      fsGroupChangePolicy: undefined,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(containerSecurityContext(svc)).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'], add: undefined },
    });
  });

  it.each<[string, Service, Record<string, unknown>]>([
    [
      'spec identity wins',
      { security: { runAsUser: 5, runAsGroup: 6, fsGroup: 7 } },
      { runAsUser: 5, runAsGroup: 6, fsGroup: 7 },
    ],
    [
      'volume without owner: fsGroup = group',
      { volumes: [{ name: 'd', path: '/d', size: '1Gi' }] },
      { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
    ],
    [
      'volume owner sets uid, gid and fsGroup',
      { volumes: [{ name: 'd', path: '/d', size: '1Gi', owner: { uid: 1000, gid: 1001 } }] },
      { runAsUser: 1000, runAsGroup: 1001, fsGroup: 1001 },
    ],
    [
      'root-owned volume keeps the non-root default',
      { volumes: [{ name: 'd', path: '/d', size: '1Gi', owner: { uid: 0, gid: 0 } }] },
      { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
    ],
  ])('identity: %s', (_n, svc, identity) => {
    expect(podIdentity(ctx(), 'services.a', svc)).toEqual(identity);
  });

  it.each<[Service['security'], Record<string, unknown>, boolean]>([
    [
      { relax: [{ rule: 'readOnlyRootFilesystem', reason: 'writes a cache in /app' }] },
      { readOnlyRootFilesystem: false },
      false,
    ],
    [
      { relax: [{ rule: 'allowPrivilegeEscalation', reason: 'setuid helper binary' }] },
      { allowPrivilegeEscalation: true },
      true,
    ],
    [
      { relax: [{ rule: 'capabilities', reason: 'binds port 80', capabilities: ['NET_BIND_SERVICE'] }] },
      { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
      false,
    ],
    [
      { relax: [{ rule: 'capabilities', reason: 'raw sockets ping', capabilities: ['NET_RAW'] }] },
      { capabilities: { drop: ['ALL'], add: ['NET_RAW'] } },
      true,
    ],
  ])('relax %j: container %j, leaves PSS restricted: %s', (security, fields, leavesPss) => {
    const c = ctx();
    const svc: Service = { security };
    expect(containerSecurityContext(svc)).toMatchObject(fields);
    const annotations = relaxAnnotations(c, 'services.a', svc);
    const rule = security!.relax![0]!;
    expect(annotations).toEqual({ [`slipway.dev/relax-${rule.rule}`]: rule.reason });
    expect(c.warnings.length > 0).toBe(leavesPss);
  });

  it('relaxing runAsNonRoot without a user leaves the image USER', () => {
    const svc: Service = {
      security: { relax: [{ rule: 'runAsNonRoot', reason: 'legacy image needs root' }] },
    };
    const pod = podSecurityContext(svc, podIdentity(ctx(), 'services.a', svc));
    expect(pod.runAsNonRoot).toBeUndefined();
    expect(pod.runAsUser).toBeUndefined();
  });

  it('volumes with different owner gids are an error', () => {
    const c = ctx();
    podIdentity(c, 'services.a', {
      volumes: [
        { name: 'a', path: '/a', size: '1Gi', owner: { uid: 1, gid: 1 } },
        { name: 'b', path: '/b', size: '1Gi', owner: { uid: 2, gid: 2 } },
      ],
    });
    expect(c.problems.map((p) => p.path)).toEqual(['services.a.volumes']);
  });
});
