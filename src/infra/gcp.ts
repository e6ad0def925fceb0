/**
 * Google Cloud: Cloud SQL for postgres/mysql (private IP only, IAM database authentication, so no
 * password in the Terraform), Memorystore for redis, a Cloud Storage bucket for backups, Artifact
 * Registry for images not on GHCR, Cloud DNS records for public hosts, and a service account CI
 * impersonates through a Workload Identity pool that trusts GitHub's OIDC tokens.
 */
import type { Infrastructure } from '../spec/schema.js';
import type { ResolvedApp } from '../spec/resolved.js';
import {
  cloudName,
  dnsZone,
  sizeClass,
  type CloudEnvironment,
  type CloudProvider,
  type ManagedStore,
} from './cloud.js';
import { arg, block, nested, ref, type Block } from './hcl.js';
import { outputBlock, variableBlock } from './variables.js';

const SQL_TIER = { small: 'db-custom-1-3840', medium: 'db-custom-2-7680', large: 'db-custom-4-15360' };
const POOL = 'github';

function databaseVersion(s: ManagedStore): string {
  const major = (s.version ?? (s.type === 'postgres' ? '16' : '8.0')).split('.');
  return s.type === 'postgres' ? `POSTGRES_${major[0]}` : `MYSQL_${major[0]}_${major[1] ?? '0'}`;
}

function database(env: CloudEnvironment, s: ManagedStore): Block[] {
  const flag = s.type === 'postgres' ? 'cloudsql.iam_authentication' : 'cloudsql_iam_authentication';
  return [
    block(
      'resource',
      ['google_sql_database_instance', s.name],
      [
        ...arg('name', cloudName(`${env.prefix}-${s.name}`, 84)),
        ...arg('database_version', databaseVersion(s)),
        ...arg('region', env.infra.region),
        ...arg('deletion_protection', env.production),
        nested('settings', [
          ...arg('tier', SQL_TIER[sizeClass(s.memoryGi)]),
          ...arg('availability_type', env.production ? 'REGIONAL' : 'ZONAL'),
          ...arg('disk_size', Math.max(10, s.storageGi)),
          ...arg('disk_autoresize', true),
          ...arg('deletion_protection_enabled', env.production),
          nested('ip_configuration', [
            ...arg('ipv4_enabled', false),
            ...arg('private_network', ref('var.network')),
            ...arg('ssl_mode', 'ENCRYPTED_ONLY'),
          ]),
          nested('backup_configuration', [
            ...arg('enabled', true),
            ...(s.type === 'postgres'
              ? arg('point_in_time_recovery_enabled', true)
              : arg('binary_log_enabled', true)),
            nested('backup_retention_settings', [...arg('retained_backups', s.retentionDays)]),
          ]),
          nested('database_flags', [...arg('name', flag), ...arg('value', 'on')]),
        ]),
      ],
    ),
    block(
      'resource',
      ['google_sql_database', s.name],
      [...arg('name', s.database), ...arg('instance', ref(`google_sql_database_instance.${s.name}.name`))],
    ),
  ];
}

function cache(env: CloudEnvironment, s: ManagedStore): Block {
  const version = (s.version ?? '7.2').split('.');
  return block(
    'resource',
    ['google_redis_instance', s.name],
    [
      ...arg('name', cloudName(`${env.prefix}-${s.name}`, 40)),
      ...arg('tier', env.production ? 'STANDARD_HA' : 'BASIC'),
      ...arg('memory_size_gb', Math.max(1, s.memoryGi, s.storageGi)),
      ...arg('region', env.infra.region),
      ...arg('redis_version', `REDIS_${version[0]}_${version[1] === '4' ? '2' : (version[1] ?? '0')}`),
      ...arg('authorized_network', ref('var.network')),
      ...arg('connect_mode', 'PRIVATE_SERVICE_ACCESS'),
      ...arg('auth_enabled', true),
      ...arg('transit_encryption_mode', 'SERVER_AUTHENTICATION'),
      nested('persistence_config', [
        ...arg('persistence_mode', 'RDB'),
        ...arg('rdb_snapshot_period', 'TWENTY_FOUR_HOURS'),
      ]),
    ],
  );
}

function backupBucket(env: CloudEnvironment): Block {
  return block(
    'resource',
    ['google_storage_bucket', 'backups'],
    [
      ...arg('name', cloudName(`${env.prefix}-backups`, 63)),
      ...arg('location', env.infra.region),
      ...arg('uniform_bucket_level_access', true),
      ...arg('public_access_prevention', 'enforced'),
      ...arg('force_destroy', false),
      nested('versioning', [...arg('enabled', true)]),
      ...env.backups.map((b) =>
        nested('lifecycle_rule', [
          nested('condition', [...arg('age', b.days), ...arg('matches_prefix', [`${b.dependency}/`])]),
          nested('action', [...arg('type', 'Delete')]),
        ]),
      ),
      nested('lifecycle_rule', [
        nested('condition', [
          ...arg('days_since_noncurrent_time', Math.max(...env.backups.map((b) => b.days))),
        ]),
        nested('action', [...arg('type', 'Delete')]),
      ]),
    ],
  );
}

function dns(env: CloudEnvironment): Block[] {
  if (!dnsZone(env.infra, env.publicHosts)) return [];
  return env.publicHosts.map((host) =>
    block(
      'resource',
      ['google_dns_record_set', cloudName(host, 63, '_')],
      [
        ...arg('managed_zone', ref('var.dns_managed_zone')),
        ...arg('name', `${host}.`),
        ...arg('type', 'CNAME'),
        ...arg('ttl', 300),
        ...arg('rrdatas', [ref('"${var.ingress_hostname}."')]),
      ],
    ),
  );
}

function deployer(env: CloudEnvironment): Block[] {
  if (!env.repository) return [];
  return [
    block(
      'resource',
      ['google_service_account', 'deployer'],
      [
        ...arg('account_id', cloudName(`${env.prefix}-deploy`, 30)),
        ...arg('display_name', `slipway deploy of ${env.app.app} to ${env.app.environment}`),
      ],
    ),
    block(
      'resource',
      ['google_service_account_iam_member', 'deployer_github'],
      [
        ...arg('service_account_id', ref('google_service_account.deployer.name')),
        ...arg('role', 'roles/iam.workloadIdentityUser'),
        ...arg(
          'member',
          ref(
            `"principalSet://iam.googleapis.com/\${var.workload_identity_pool}/attribute.environment/${env.app.environment}"`,
          ),
        ),
      ],
    ),
    block(
      'resource',
      ['google_project_iam_member', 'deployer_cluster'],
      [
        ...arg('project', ref('var.project')),
        ...arg('role', 'roles/container.clusterViewer'),
        ...arg('member', ref('"serviceAccount:${google_service_account.deployer.email}"')),
      ],
    ),
  ];
}

export const gcp: CloudProvider = {
  name: 'gcp',
  providers: { google: { source: 'hashicorp/google', version: '~> 6.50' } },
  providerBlocks: (infra: Infrastructure) => [
    block('provider', ['google'], [...arg('project', ref('var.project')), ...arg('region', infra.region)]),
  ],
  environment(env) {
    const dbs = env.stores.filter((s) => s.type !== 'redis');
    const caches = env.stores.filter((s) => s.type === 'redis');
    const zone = dnsZone(env.infra, env.publicHosts);
    return {
      blocks: [
        ...dbs.flatMap((s) => database(env, s)),
        ...caches.map((s) => cache(env, s)),
        ...(env.backups.length ? [backupBucket(env)] : []),
        ...dns(env),
        ...deployer(env),
      ],
      variables: [
        variableBlock('project', 'string', 'The Google Cloud project.', env.infra.project),
        ...(env.stores.length
          ? [variableBlock('network', 'string', 'The VPC network (self link) the cluster runs in.')]
          : []),
        ...(zone
          ? [
              variableBlock('dns_managed_zone', 'string', `The Cloud DNS zone of ${zone}.`),
              variableBlock('ingress_hostname', 'string', "The ingress load balancer's DNS name."),
            ]
          : []),
        ...(env.repository
          ? [
              variableBlock(
                'workload_identity_pool',
                'string',
                'The pool the shared module made (its output workload_identity_pool).',
              ),
            ]
          : []),
      ],
      outputs: [
        ...dbs.flatMap((s) => [
          outputBlock(`${s.name}_host`, ref(`google_sql_database_instance.${s.name}.private_ip_address`)),
          outputBlock(`${s.name}_port`, s.type === 'postgres' ? 5432 : 3306),
          outputBlock(`${s.name}_database`, ref(`google_sql_database.${s.name}.name`)),
          outputBlock(
            `${s.name}_connection_name`,
            ref(`google_sql_database_instance.${s.name}.connection_name`),
          ),
        ]),
        ...caches.flatMap((s) => [
          outputBlock(`${s.name}_host`, ref(`google_redis_instance.${s.name}.host`)),
          outputBlock(`${s.name}_port`, ref(`google_redis_instance.${s.name}.port`)),
        ]),
        ...(env.backups.length
          ? [outputBlock('backup_bucket', ref('google_storage_bucket.backups.name'))]
          : []),
        ...(env.repository
          ? [outputBlock('deployer_service_account', ref('google_service_account.deployer.email'))]
          : []),
      ],
      identity: {
        subjects: env.repository
          ? [{ kind: 'User', name: ref('google_service_account.deployer.email') }]
          : [],
      },
    };
  },
  shared(app: ResolvedApp, infra: Infrastructure, repositories: string[], repository?: string) {
    const blocks: Block[] = [
      ...(repository
        ? [
            block(
              'resource',
              ['google_iam_workload_identity_pool', POOL],
              [
                ...arg('workload_identity_pool_id', cloudName(`${app.app}-github`, 32)),
                ...arg('display_name', 'GitHub Actions'),
              ],
            ),
            block(
              'resource',
              ['google_iam_workload_identity_pool_provider', POOL],
              [
                ...arg(
                  'workload_identity_pool_id',
                  ref(`google_iam_workload_identity_pool.${POOL}.workload_identity_pool_id`),
                ),
                ...arg('workload_identity_pool_provider_id', 'github'),
                ...arg('attribute_mapping', {
                  'google.subject': ref('assertion.sub'),
                  'attribute.repository': ref('assertion.repository'),
                  'attribute.environment': ref('assertion.environment'),
                }),
                ...arg('attribute_condition', `assertion.repository == "${repository}"`),
                nested('oidc', [...arg('issuer_uri', 'https://token.actions.githubusercontent.com')]),
              ],
            ),
          ]
        : []),
      ...(repositories.length
        ? [
            block(
              'resource',
              ['google_artifact_registry_repository', 'images'],
              [
                ...arg('repository_id', cloudName(app.app, 63)),
                ...arg('location', infra.region),
                ...arg('format', 'DOCKER'),
                ...arg('description', `Images of ${app.app}: ${repositories.join(', ')}`),
                nested('docker_config', [...arg('immutable_tags', true)]),
              ],
            ),
          ]
        : []),
    ];
    return {
      blocks,
      variables: [variableBlock('project', 'string', 'The Google Cloud project.', infra.project)],
      outputs: [
        ...(repository
          ? [outputBlock('workload_identity_pool', ref(`google_iam_workload_identity_pool.${POOL}.name`))]
          : []),
        ...(repositories.length
          ? [
              outputBlock(
                'registry',
                ref(
                  `"${infra.region}-docker.pkg.dev/\${var.project}/\${google_artifact_registry_repository.images.repository_id}"`,
                ),
              ),
            ]
          : []),
      ],
    };
  },
};
