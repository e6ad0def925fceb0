import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImageRule } from './config.js';
import {
  checkProgram,
  checkRequires,
  findHostBinary,
  HostToolMissingError,
  versionSubstitution,
} from './host-tools.js';

const pg: ImageRule = {
  match: 'postgres',
  hostVersion: {
    command: ['postgres', '--version'],
    pattern: '(\\d+)',
    product: 'PostgreSQL',
    sameProduct: true,
  },
};
const mysql: ImageRule = {
  match: 'mysql',
  hostVersion: {
    command: ['mariadbd', '--version'],
    pattern: '(\\d+)',
    product: 'MariaDB',
    sameProduct: false,
  },
};

describe('host programs behind the database images', () => {
  it.each([
    [pg, 'postgres:16', '16', '15.14', 'postgres:16 runs as PostgreSQL 15.14 from the host'],
    [pg, 'postgres:15', '15', '15.14', undefined],
    [pg, 'postgres:15-alpine', '15-alpine', '15.14', undefined],
    [pg, 'postgres:15.2', '15.2', '15.14', 'postgres:15.2 runs as PostgreSQL 15.14 from the host'],
    [pg, 'postgres:latest', 'latest', '15.14', 'postgres:latest runs as PostgreSQL 15.14 from the host'],
    [mysql, 'mysql:10.11', '10.11', '10.11.19', 'mysql:10.11 runs as MariaDB 10.11.19 from the host'],
  ])('%s, tag %s, host %s', (rule, image, tag, version, expected) =>
    expect(versionSubstitution(rule, image, tag, version)).toBe(expected),
  );

  it('finds a program under a versioned directory, highest version first, or on PATH', () => {
    const root = mkdtempSync(join(tmpdir(), 'slipway-host-'));
    for (const v of ['9', '15', '13']) {
      mkdirSync(join(root, v, 'bin'), { recursive: true });
      writeFileSync(join(root, v, 'bin', 'postgres'), '#!/bin/sh\n');
      chmodSync(join(root, v, 'bin', 'postgres'), 0o755);
    }
    expect(findHostBinary(`${root}/*/bin/postgres`)).toBe(join(root, '15', 'bin', 'postgres'));
    expect(findHostBinary(`${root}/*/bin/initdb`)).toBeUndefined();
    expect(findHostBinary('postgres', join(root, '13', 'bin'))).toBe(join(root, '13', 'bin', 'postgres'));
  });

  it('a missing program fails the container naming the Debian package', () => {
    const rule: ImageRule = {
      match: 'x',
      requires: [{ binary: 'slipway-no-such-server', package: 'no-such-server' }],
    };
    expect(() => checkRequires(rule, 'x:1', '/nonexistent')).toThrow(HostToolMissingError);
    expect(() => checkRequires(rule, 'x:1', '/nonexistent')).toThrow(
      'x:1 runs slipway-no-such-server from the sandbox host, which is not installed: install the Debian package no-such-server (apt-get install no-such-server)',
    );
    expect(() => checkProgram(rule, 'x:1', 'pg_dump', '/nonexistent')).toThrow(
      'x:1: executable "pg_dump" not found on the sandbox host (the image maps to the Debian package no-such-server)',
    );
  });
});
