import { describe, expect, it } from 'vitest';
import type { ServicePort } from '../types.js';
import { rewriteServiceAddresses } from './addresses.js';
import { expandVars, rewriteArg } from './pod-env.js';

const ports: ServicePort[] = [
  { namespace: 'storefront', name: 'storefront-db', port: 5432, localPort: 41001, protocol: 'TCP' },
  { namespace: 'other', name: 'cache', port: 6379, localPort: 41002, protocol: 'TCP' },
];
const rw = (v: string) => rewriteServiceAddresses(v, 'storefront', ports);

describe('Service addresses in a process container', () => {
  it.each([
    ['storefront-db:5432', '127.0.0.1:41001'],
    ['storefront-db.storefront:5432', '127.0.0.1:41001'],
    ['storefront-db.storefront.svc:5432', '127.0.0.1:41001'],
    ['storefront-db.storefront.svc.cluster.local:5432', '127.0.0.1:41001'],
    ['STOREFRONT-DB.storefront.svc:5432', '127.0.0.1:41001'],
    [
      'postgresql://storefront:pw@storefront-db.storefront.svc:5432/storefront?sslmode=disable',
      'postgresql://storefront:pw@127.0.0.1:41001/storefront?sslmode=disable',
    ],
    ['redis://:pw@cache.other.svc:6379', 'redis://:pw@127.0.0.1:41002'],
    ['a=storefront-db:5432,b=cache.other:6379', 'a=127.0.0.1:41001,b=127.0.0.1:41002'],
  ])('rewrites %s', (value, expected) => expect(rw(value)).toBe(expected));

  it.each([
    // Another port, another namespace, no such Service, another domain, a longer name, userinfo.
    'storefront-db.storefront.svc:5433',
    'cache:6379',
    'nothing.storefront.svc:5432',
    'storefront-db.storefront.svc.example.com:5432',
    'storefront-db.storefront.pod:5432',
    'my-storefront-db:5432',
    'x.storefront-db:5432',
    'postgresql://storefront-db:5432@host/db',
    'storefront-db.storefront.svc:54321',
  ])('leaves %s alone', (value) => expect(rw(value)).toBe(value));
});

describe('command and args of a process container', () => {
  const mounts = [{ mountPath: '/data', hostPath: '/srv/pvc-1' }];
  it('expands $(VAR) as the kubelet does, $$ escaping', () => {
    expect(expandVars('--requirepass $(PW) $(MISSING) $$(PW) $$HOME', { PW: 's3' })).toBe(
      '--requirepass s3 $(MISSING) $(PW) $HOME',
    );
  });
  it('rewrites a mount path and --flag=<mount path>, nothing else', () => {
    expect(rewriteArg('/data', mounts)).toBe('/srv/pvc-1');
    expect(rewriteArg('/data/x.dump', mounts)).toBe('/srv/pvc-1/x.dump');
    expect(rewriteArg('--datadir=/data/db', mounts)).toBe('--datadir=/srv/pvc-1/db');
    expect(rewriteArg('/database', mounts)).toBe('/database');
    expect(rewriteArg('pg_dump > /data/x', mounts)).toBe('pg_dump > /data/x');
  });
});
