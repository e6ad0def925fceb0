/**
 * In-cluster dependencies as Compose services for local development: the same image and version
 * render uses (from the dependency catalog), a named volume at the same data path, a healthcheck
 * the app services wait on (`depends_on: condition: service_healthy`), and the outputs
 * `${dep.url}` etc. resolve to, with the Compose service name as host.
 *
 * Credentials: in a cluster the deploy step generates them into a Secret. Locally they come from
 * the developer's shell or `.env` through Compose interpolation, with a fixed default that is only
 * good for a laptop: `${SHOP_DB_PASSWORD:-slipway-dev}`.
 */
import type { Dependency } from '../../spec/schema.js';
import { dependencyKind } from '../objects/dependencies/catalog.js';

export interface ComposeDependency {
  service: Record<string, unknown>;
  volume: string;
  outputs: Record<string, string>;
}

export const DEV_PASSWORD_DEFAULT = 'slipway-dev';
const HEALTH = { interval: '5s', timeout: '5s', retries: 20, start_period: '10s' };

/** `SHOP_DB_PASSWORD`: the variable a developer sets to choose the local password. */
export function passwordVariable(app: string, name: string): string {
  return `${app}_${name}_PASSWORD`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

export function composeDependency(
  app: string,
  name: string,
  dependency: Dependency,
): ComposeDependency | undefined {
  const kind = dependencyKind(dependency.type);
  if (!kind) return undefined;
  const image = `${kind.image}:${dependency.version ?? kind.defaultVersion}`;
  const volume = `${name}-data`;
  const password = `\${${passwordVariable(app, name)}:-${DEV_PASSWORD_DEFAULT}}`;
  const database = dependency.database ?? app;
  const user = app;
  const port = kind.port.port;
  const base = { image, volumes: [`${volume}:${kind.dataPath}`], restart: 'unless-stopped' };
  const common = { host: name, port: String(port) };
  /** The catalog's container env with literal values, the Compose service name as host. */
  const catalogEnvironment = () =>
    Object.fromEntries(
      kind
        .env({ app, name, namespace: '', dependency, objectName: name, host: name, credentials: '' })
        .filter((e) => typeof e.value === 'string')
        .map((e) => [e.name as string, e.value as string]),
    );
  switch (dependency.type) {
    case 'postgres':
      return {
        volume,
        service: {
          ...base,
          environment: {
            POSTGRES_USER: user,
            POSTGRES_PASSWORD: password,
            POSTGRES_DB: database,
            PGDATA: `${kind.dataPath}/pgdata`,
          },
          healthcheck: {
            test: ['CMD', 'pg_isready', '-U', user, '-d', database, '-h', '127.0.0.1'],
            ...HEALTH,
          },
        },
        outputs: {
          ...common,
          database,
          user,
          password,
          url: `postgres://${user}:${password}@${name}:${port}/${database}`,
        },
      };
    case 'mysql':
      return {
        volume,
        service: {
          ...base,
          environment: {
            MYSQL_DATABASE: database,
            MYSQL_USER: user,
            MYSQL_PASSWORD: password,
            MYSQL_RANDOM_ROOT_PASSWORD: 'yes',
          },
          healthcheck: {
            test: ['CMD', 'mysqladmin', 'ping', '-h', '127.0.0.1', '-u', user, `--password=${password}`],
            ...HEALTH,
          },
        },
        outputs: {
          ...common,
          database,
          user,
          password,
          url: `mysql://${user}:${password}@${name}:${port}/${database}`,
        },
      };
    case 'redis':
      return {
        volume,
        service: {
          ...base,
          command: ['redis-server', '--requirepass', password, '--appendonly', 'yes', '--dir', kind.dataPath],
          healthcheck: { test: ['CMD', 'redis-cli', '--no-auth-warning', '-a', password, 'ping'], ...HEALTH },
        },
        outputs: { ...common, password, url: `redis://:${password}@${name}:${port}/0` },
      };
    case 'kafka': {
      // The catalog's KRaft settings, with the Compose service name as the advertised host.
      const environment = catalogEnvironment();
      return {
        volume,
        service: {
          ...base,
          environment,
          healthcheck: {
            test: [
              'CMD',
              '/opt/kafka/bin/kafka-broker-api-versions.sh',
              '--bootstrap-server',
              `localhost:${port}`,
            ],
            ...HEALTH,
          },
        },
        outputs: { ...common, bootstrap: `${name}:${port}`, url: `${name}:${port}` },
      };
    }
    case 'chromadb': {
      const environment = catalogEnvironment();
      return {
        volume,
        service: {
          ...base,
          environment,
          // The image has bash but no HTTP client; a TCP connect is what the cluster's liveness checks too.
          healthcheck: {
            test: ['CMD', 'bash', '-c', `cat < /dev/null > /dev/tcp/127.0.0.1/${port}`],
            ...HEALTH,
          },
        },
        outputs: { ...common, url: `http://${name}:${port}` },
      };
    }
    default:
      return undefined;
  }
}
