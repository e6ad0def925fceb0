/**
 * Azure: Database for PostgreSQL / MySQL flexible servers (delegated subnet, Entra ID
 * authentication, no password in the Terraform), Azure Cache for Redis, a storage account and
 * container for backups, Azure Container Registry for images not on GHCR, Azure DNS records for
 * public hosts, and a user-assigned identity CI signs in as through a federated credential that
 * trusts GitHub's OIDC tokens for this environment.
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

const SERVER_SKU = { small: 'B_Standard_B1ms', medium: 'GP_Standard_D2ds_v5', large: 'GP_Standard_D4ds_v5' };
const REDIS_SKU = {
  small: { sku: 'Basic', family: 'C', capacity: 0 },
  medium: { sku: 'Standard', family: 'C', capacity: 2 },
  large: { sku: 'Premium', family: 'P', capacity: 1 },
};
const GROUP = ref('azurerm_resource_group.app.name');
const LOCATION = ref('azurerm_resource_group.app.location');

/** Flexible servers take storage in these steps (MiB). */
const STORAGE_MB = [32768, 65536, 131072, 262144, 524288, 1048576];

function database(env: CloudEnvironment, s: ManagedStore): Block[] {
  const postgres = s.type === 'postgres';
  const server = postgres ? 'azurerm_postgresql_flexible_server' : 'azurerm_mysql_flexible_server';
  const storageMb = STORAGE_MB.find((mb) => mb >= s.storageGi * 1024) ?? STORAGE_MB[STORAGE_MB.length - 1]!;
  const common = [
    ...arg('name', cloudName(`${env.prefix}-${s.name}`, 63)),
    ...arg('resource_group_name', GROUP),
    ...arg('location', LOCATION),
    ...arg('version', s.version ?? (postgres ? '16' : '8.0.21')),
    ...arg('sku_name', SERVER_SKU[sizeClass(s.memoryGi)]),
    ...arg('backup_retention_days', Math.min(35, Math.max(7, s.retentionDays))),
    ...arg('geo_redundant_backup_enabled', env.production),
    ...arg('delegated_subnet_id', ref(`var.${s.type}_subnet_id`)),
    ...arg('private_dns_zone_id', ref(`var.${s.type}_private_dns_zone_id`)),
  ];
  const serverBlock = postgres
    ? block(
        'resource',
        [server, s.name],
        [
          ...common,
          ...arg('storage_mb', storageMb),
          ...arg('public_network_access_enabled', false),
          nested('authentication', [
            ...arg('active_directory_auth_enabled', true),
            ...arg('password_auth_enabled', false),
            ...arg('tenant_id', ref('var.tenant_id')),
          ]),
        ],
      )
    : block(
        'resource',
        [server, s.name],
        [
          ...common,
          nested('storage', [
            ...arg('size_gb', Math.max(20, s.storageGi)),
            ...arg('auto_grow_enabled', true),
          ]),
        ],
      );
  const databaseBlock = postgres
    ? block(
        'resource',
        ['azurerm_postgresql_flexible_server_database', s.name],
        [...arg('name', s.database), ...arg('server_id', ref(`${server}.${s.name}.id`))],
      )
    : block(
        'resource',
        ['azurerm_mysql_flexible_database', s.name],
        [
          ...arg('name', s.database),
          ...arg('resource_group_name', GROUP),
          ...arg('server_name', ref(`${server}.${s.name}.name`)),
          ...arg('charset', 'utf8mb4'),
          ...arg('collation', 'utf8mb4_unicode_ci'),
        ],
      );
  // Flexible servers have no deletion-protection flag: a CanNotDelete lock is Azure's equivalent.
  const lock = env.production
    ? [
        block(
          'resource',
          ['azurerm_management_lock', s.name],
          [
            ...arg('name', `${s.name}-no-delete`),
            ...arg('scope', ref(`${server}.${s.name}.id`)),
            ...arg('lock_level', 'CanNotDelete'),
            ...arg('notes', 'Production database: remove this lock on purpose before deleting it.'),
          ],
        ),
      ]
    : [];
  return [serverBlock, databaseBlock, ...lock];
}

function cache(env: CloudEnvironment, s: ManagedStore): Block {
  const size = REDIS_SKU[sizeClass(Math.max(s.memoryGi, s.storageGi))];
  return block(
    'resource',
    ['azurerm_redis_cache', s.name],
    [
      ...arg('name', cloudName(`${env.prefix}-${s.name}`, 63)),
      ...arg('resource_group_name', GROUP),
      ...arg('location', LOCATION),
      ...arg('capacity', size.capacity),
      ...arg('family', size.family),
      ...arg('sku_name', size.sku),
      ...arg('redis_version', (s.version ?? '6').split('.')[0] === '4' ? '4' : '6'),
      ...arg('minimum_tls_version', '1.2'),
      ...arg('non_ssl_port_enabled', false),
      ...arg('public_network_access_enabled', false),
    ],
  );
}

function backups(env: CloudEnvironment): Block[] {
  return [
    block(
      'resource',
      ['azurerm_storage_account', 'backups'],
      [
        ...arg('name', cloudName(`${env.prefix}bk`, 24, '')),
        ...arg('resource_group_name', GROUP),
        ...arg('location', LOCATION),
        ...arg('account_tier', 'Standard'),
        ...arg('account_replication_type', env.production ? 'GRS' : 'LRS'),
        ...arg('min_tls_version', 'TLS1_2'),
        ...arg('https_traffic_only_enabled', true),
        ...arg('allow_nested_items_to_be_public', false),
        ...arg('public_network_access_enabled', false),
        ...arg('shared_access_key_enabled', false),
        ...arg('infrastructure_encryption_enabled', true),
        nested('blob_properties', [
          ...arg('versioning_enabled', true),
          nested('delete_retention_policy', [...arg('days', Math.max(...env.backups.map((b) => b.days)))]),
        ]),
      ],
    ),
    block(
      'resource',
      ['azurerm_storage_container', 'backups'],
      [
        ...arg('name', 'backups'),
        ...arg('storage_account_id', ref('azurerm_storage_account.backups.id')),
        ...arg('container_access_type', 'private'),
      ],
    ),
    block(
      'resource',
      ['azurerm_storage_management_policy', 'backups'],
      [
        ...arg('storage_account_id', ref('azurerm_storage_account.backups.id')),
        ...env.backups.map((b) =>
          nested('rule', [
            ...arg('name', `${b.dependency}-keep`),
            ...arg('enabled', true),
            nested('filters', [
              ...arg('blob_types', ['blockBlob']),
              ...arg('prefix_match', [`backups/${b.dependency}/`]),
            ]),
            nested('actions', [
              nested('base_blob', [...arg('delete_after_days_since_creation_greater_than', b.days)]),
              nested('version', [...arg('delete_after_days_since_creation', b.days)]),
            ]),
          ]),
        ),
      ],
    ),
  ];
}

function dns(env: CloudEnvironment): Block[] {
  const zone = dnsZone(env.infra, env.publicHosts);
  if (!zone) return [];
  return env.publicHosts.map((host) =>
    block(
      'resource',
      ['azurerm_dns_cname_record', cloudName(host, 63, '_')],
      [
        ...arg('name', host === zone ? '@' : host.slice(0, -(zone.length + 1))),
        ...arg('zone_name', zone),
        ...arg('resource_group_name', ref('var.dns_resource_group_name')),
        ...arg('ttl', 300),
        ...arg('record', ref('var.ingress_hostname')),
      ],
    ),
  );
}

function deployer(env: CloudEnvironment): Block[] {
  if (!env.repository) return [];
  return [
    block(
      'resource',
      ['azurerm_user_assigned_identity', 'deployer'],
      [
        ...arg('name', cloudName(`${env.prefix}-deployer`, 128)),
        ...arg('resource_group_name', GROUP),
        ...arg('location', LOCATION),
      ],
    ),
    block(
      'resource',
      ['azurerm_federated_identity_credential', 'github'],
      [
        ...arg('name', 'github-actions'),
        ...arg('resource_group_name', GROUP),
        ...arg('parent_id', ref('azurerm_user_assigned_identity.deployer.id')),
        ...arg('audience', ['api://AzureADTokenExchange']),
        ...arg('issuer', 'https://token.actions.githubusercontent.com'),
        ...arg('subject', `repo:${env.repository}:environment:${env.app.environment}`),
      ],
    ),
  ];
}

export const azure: CloudProvider = {
  name: 'azure',
  providers: { azurerm: { source: 'hashicorp/azurerm', version: '~> 4.55' } },
  providerBlocks: () => [
    block(
      'provider',
      ['azurerm'],
      [
        ...arg('subscription_id', ref('var.subscription_id')),
        ...arg('storage_use_azuread', true),
        nested('features', []),
      ],
    ),
  ],
  environment(env) {
    const dbs = env.stores.filter((s) => s.type !== 'redis');
    const caches = env.stores.filter((s) => s.type === 'redis');
    const zone = dnsZone(env.infra, env.publicHosts);
    const types = [...new Set(dbs.map((s) => s.type))];
    return {
      blocks: [
        block(
          'resource',
          ['azurerm_resource_group', 'app'],
          [...arg('name', cloudName(`${env.prefix}`, 90)), ...arg('location', env.infra.region)],
        ),
        ...dbs.flatMap((s) => database(env, s)),
        ...caches.map((s) => cache(env, s)),
        ...(env.backups.length ? backups(env) : []),
        ...dns(env),
        ...deployer(env),
      ],
      variables: [
        variableBlock('subscription_id', 'string', 'The Azure subscription.'),
        ...(dbs.some((s) => s.type === 'postgres')
          ? [variableBlock('tenant_id', 'string', 'The Entra ID tenant that signs database logins.')]
          : []),
        ...types.flatMap((t) => [
          variableBlock(`${t}_subnet_id`, 'string', `The subnet delegated to ${t} flexible servers.`),
          variableBlock(`${t}_private_dns_zone_id`, 'string', `The private DNS zone of the ${t} servers.`),
        ]),
        ...(zone
          ? [
              variableBlock(
                'dns_resource_group_name',
                'string',
                `The resource group of the DNS zone ${zone}.`,
              ),
              variableBlock('ingress_hostname', 'string', "The ingress load balancer's DNS name."),
            ]
          : []),
      ],
      outputs: [
        ...dbs.flatMap((s) => {
          const server =
            s.type === 'postgres' ? 'azurerm_postgresql_flexible_server' : 'azurerm_mysql_flexible_server';
          return [
            outputBlock(`${s.name}_host`, ref(`${server}.${s.name}.fqdn`)),
            outputBlock(`${s.name}_port`, s.type === 'postgres' ? 5432 : 3306),
            outputBlock(`${s.name}_database`, s.database),
          ];
        }),
        ...caches.flatMap((s) => [
          outputBlock(`${s.name}_host`, ref(`azurerm_redis_cache.${s.name}.hostname`)),
          outputBlock(`${s.name}_port`, ref(`azurerm_redis_cache.${s.name}.ssl_port`)),
        ]),
        ...(env.backups.length
          ? [outputBlock('backup_bucket', ref('azurerm_storage_container.backups.id'))]
          : []),
        ...(env.repository
          ? [outputBlock('deployer_client_id', ref('azurerm_user_assigned_identity.deployer.client_id'))]
          : []),
      ],
      identity: {
        subjects: env.repository
          ? [{ kind: 'User', name: ref('azurerm_user_assigned_identity.deployer.principal_id') }]
          : [],
      },
    };
  },
  shared(app: ResolvedApp, infra: Infrastructure, repositories: string[]) {
    const blocks: Block[] = repositories.length
      ? [
          block(
            'resource',
            ['azurerm_resource_group', 'shared'],
            [...arg('name', cloudName(`${app.app}-shared`, 90)), ...arg('location', infra.region)],
          ),
          block(
            'resource',
            ['azurerm_container_registry', 'images'],
            [
              ...arg('name', cloudName(`${app.app}images`, 50, '')),
              ...arg('resource_group_name', ref('azurerm_resource_group.shared.name')),
              ...arg('location', ref('azurerm_resource_group.shared.location')),
              ...arg('sku', 'Standard'),
              ...arg('admin_enabled', false),
            ],
          ),
        ]
      : [];
    return {
      blocks,
      variables: [variableBlock('subscription_id', 'string', 'The Azure subscription.')],
      outputs: repositories.length
        ? [outputBlock('registry', ref('azurerm_container_registry.images.login_server'))]
        : [],
    };
  },
};
