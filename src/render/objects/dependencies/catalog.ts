import type { Dependency } from '../../../spec/schema.js';
import { chromadb } from './chromadb.js';
import type { DependencyKind } from './kind.js';
import { kafka } from './kafka.js';
import { mysql } from './mysql.js';
import { postgres } from './postgres.js';
import { redis } from './redis.js';

/** Server types render runs in-cluster; sqlite is a file in a service's volume and has no server. */
export const DEPENDENCY_KINDS: Readonly<Record<Exclude<Dependency['type'], 'sqlite'>, DependencyKind>> = {
  postgres,
  mysql,
  redis,
  kafka,
  chromadb,
};

export function dependencyKind(type: Dependency['type']): DependencyKind | undefined {
  return type === 'sqlite' ? undefined : DEPENDENCY_KINDS[type];
}
