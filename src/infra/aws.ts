/**
 * AWS: RDS for postgres/mysql (the master password kept by RDS in Secrets Manager, never in the
 * Terraform), ElastiCache for redis, an S3 bucket for backups, ECR for images not on GHCR, Route 53
 * records for public hosts, and an IAM role CI assumes through GitHub's OIDC provider, mapped into
 * the cluster by an EKS access entry.
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
import { arg, block, nested, ref, type Block, type Item } from './hcl.js';
import { outputBlock, variableBlock } from './variables.js';

const GITHUB_OIDC = 'token.actions.githubusercontent.com';
const DB_CLASS = { small: 'db.t4g.small', medium: 'db.t4g.large', large: 'db.r6g.xlarge' };
const CACHE_NODE = { small: 'cache.t4g.small', medium: 'cache.r7g.large', large: 'cache.r7g.xlarge' };

function database(env: CloudEnvironment, s: ManagedStore): Block {
  const postgres = s.type === 'postgres';
  const id = cloudName(`${env.prefix}-${s.name}`, 63);
  return block(
    'resource',
    ['aws_db_instance', s.name],
    [
      ...arg('identifier', id),
      ...arg('engine', postgres ? 'postgres' : 'mysql'),
      ...arg('engine_version', s.version),
      ...arg('instance_class', DB_CLASS[sizeClass(s.memoryGi)]),
      ...arg('allocated_storage', Math.max(20, s.storageGi)),
      ...arg('max_allocated_storage', Math.max(20, s.storageGi) * 2),
      ...arg('storage_type', 'gp3'),
      ...arg('storage_encrypted', true),
      ...arg('db_name', s.database),
      ...arg('username', 'app'),
      ...arg('manage_master_user_password', true),
      ...arg('multi_az', env.production),
      ...arg('publicly_accessible', false),
      ...arg('db_subnet_group_name', ref('var.db_subnet_group_name')),
      ...arg('vpc_security_group_ids', ref('var.database_security_group_ids')),
      ...arg('backup_retention_period', Math.min(35, s.retentionDays)),
      ...arg('deletion_protection', env.production),
      ...arg('skip_final_snapshot', !env.production),
      ...arg('final_snapshot_identifier', env.production ? `${id}-final` : undefined),
      ...arg('copy_tags_to_snapshot', true),
      ...arg('auto_minor_version_upgrade', true),
      ...arg('iam_database_authentication_enabled', true),
    ],
  );
}

function cache(env: CloudEnvironment, s: ManagedStore): Block {
  return block(
    'resource',
    ['aws_elasticache_replication_group', s.name],
    [
      ...arg('replication_group_id', cloudName(`${env.prefix}-${s.name}`, 40)),
      ...arg('description', `${s.name} of ${env.app.app} (${env.app.environment})`),
      ...arg('engine', 'redis'),
      ...arg('engine_version', s.version),
      ...arg('node_type', CACHE_NODE[sizeClass(s.memoryGi)]),
      ...arg('num_cache_clusters', env.production ? 2 : 1),
      ...arg('automatic_failover_enabled', env.production),
      ...arg('at_rest_encryption_enabled', true),
      ...arg('transit_encryption_enabled', true),
      ...arg('subnet_group_name', ref('var.cache_subnet_group_name')),
      ...arg('security_group_ids', ref('var.cache_security_group_ids')),
      ...arg('snapshot_retention_limit', Math.min(35, s.retentionDays)),
    ],
  );
}

function backupBucket(env: CloudEnvironment): Block[] {
  const bucket = ref('aws_s3_bucket.backups.id');
  return [
    block(
      'resource',
      ['aws_s3_bucket', 'backups'],
      [...arg('bucket', cloudName(`${env.prefix}-backups`, 63)), ...arg('force_destroy', false)],
    ),
    block(
      'resource',
      ['aws_s3_bucket_versioning', 'backups'],
      [...arg('bucket', bucket), nested('versioning_configuration', [...arg('status', 'Enabled')])],
    ),
    block(
      'resource',
      ['aws_s3_bucket_server_side_encryption_configuration', 'backups'],
      [
        ...arg('bucket', bucket),
        nested('rule', [
          nested('apply_server_side_encryption_by_default', [...arg('sse_algorithm', 'aws:kms')]),
        ]),
      ],
    ),
    block(
      'resource',
      ['aws_s3_bucket_public_access_block', 'backups'],
      [
        ...arg('bucket', bucket),
        ...arg('block_public_acls', true),
        ...arg('block_public_policy', true),
        ...arg('ignore_public_acls', true),
        ...arg('restrict_public_buckets', true),
      ],
    ),
    block(
      'resource',
      ['aws_s3_bucket_lifecycle_configuration', 'backups'],
      [
        ...arg('bucket', bucket),
        ...env.backups.map((b): Item =>
          nested('rule', [
            ...arg('id', `${b.dependency}-keep`),
            ...arg('status', 'Enabled'),
            nested('filter', [...arg('prefix', `${b.dependency}/`)]),
            nested('expiration', [...arg('days', b.days)]),
            nested('noncurrent_version_expiration', [...arg('noncurrent_days', b.days)]),
          ]),
        ),
      ],
    ),
  ];
}

function dns(env: CloudEnvironment): Block[] {
  const zone = dnsZone(env.infra, env.publicHosts);
  if (!zone) return [];
  return [
    block('data', ['aws_route53_zone', 'public'], [...arg('name', zone)]),
    ...env.publicHosts.map((host) =>
      block(
        'resource',
        ['aws_route53_record', cloudName(host, 64, '_')],
        [
          ...arg('zone_id', ref('data.aws_route53_zone.public.zone_id')),
          ...arg('name', host),
          ...arg('type', 'CNAME'),
          ...arg('ttl', 300),
          ...arg('records', [ref('var.ingress_hostname')]),
        ],
      ),
    ),
  ];
}

function deployerRole(env: CloudEnvironment): Block[] {
  if (!env.repository) return [];
  const subject = `repo:${env.repository}:environment:${env.app.environment}`;
  return [
    block('data', ['aws_iam_openid_connect_provider', 'github'], [...arg('url', `https://${GITHUB_OIDC}`)]),
    block(
      'data',
      ['aws_iam_policy_document', 'deployer_trust'],
      [
        nested('statement', [
          ...arg('actions', ['sts:AssumeRoleWithWebIdentity']),
          nested('principals', [
            ...arg('type', 'Federated'),
            ...arg('identifiers', [ref('data.aws_iam_openid_connect_provider.github.arn')]),
          ]),
          nested('condition', [
            ...arg('test', 'StringEquals'),
            ...arg('variable', `${GITHUB_OIDC}:aud`),
            ...arg('values', ['sts.amazonaws.com']),
          ]),
          nested('condition', [
            ...arg('test', 'StringEquals'),
            ...arg('variable', `${GITHUB_OIDC}:sub`),
            ...arg('values', [subject]),
          ]),
        ]),
      ],
    ),
    block(
      'resource',
      ['aws_iam_role', 'deployer'],
      [
        ...arg('name', cloudName(`${env.prefix}-deployer`, 64)),
        ...arg('assume_role_policy', ref('data.aws_iam_policy_document.deployer_trust.json')),
      ],
    ),
    block(
      'resource',
      ['aws_eks_access_entry', 'deployer'],
      [
        ...arg('cluster_name', ref('var.eks_cluster_name')),
        ...arg('principal_arn', ref('aws_iam_role.deployer.arn')),
        ...arg('kubernetes_groups', [`slipway:${env.app.namespace}:deployers`]),
      ],
    ),
  ];
}

export const aws: CloudProvider = {
  name: 'aws',
  providers: { aws: { source: 'hashicorp/aws', version: '~> 6.25' } },
  providerBlocks: (infra: Infrastructure) => [
    block(
      'provider',
      ['aws'],
      [...arg('region', infra.region), nested('default_tags', [...arg('tags', ref('var.tags'))])],
    ),
  ],
  environment(env) {
    const dbs = env.stores.filter((s) => s.type !== 'redis');
    const caches = env.stores.filter((s) => s.type === 'redis');
    const zone = dnsZone(env.infra, env.publicHosts);
    const variables = [
      variableBlock('tags', 'map(string)', 'Tags on every resource.', {
        app: env.app.app,
        environment: env.app.environment,
      }),
      ...(dbs.length
        ? [
            variableBlock('db_subnet_group_name', 'string', 'The DB subnet group of the cluster VPC.'),
            variableBlock(
              'database_security_group_ids',
              'list(string)',
              'Security groups that admit the cluster to the databases.',
            ),
          ]
        : []),
      ...(caches.length
        ? [
            variableBlock(
              'cache_subnet_group_name',
              'string',
              'The ElastiCache subnet group of the cluster VPC.',
            ),
            variableBlock(
              'cache_security_group_ids',
              'list(string)',
              'Security groups that admit the cluster to the caches.',
            ),
          ]
        : []),
      ...(zone ? [variableBlock('ingress_hostname', 'string', "The ingress load balancer's DNS name.")] : []),
      ...(env.repository
        ? [variableBlock('eks_cluster_name', 'string', 'The EKS cluster CI deploys to.')]
        : []),
    ];
    const outputs = [
      ...dbs.flatMap((s) => [
        outputBlock(`${s.name}_host`, ref(`aws_db_instance.${s.name}.address`)),
        outputBlock(`${s.name}_port`, ref(`aws_db_instance.${s.name}.port`)),
        outputBlock(`${s.name}_database`, ref(`aws_db_instance.${s.name}.db_name`)),
        outputBlock(
          `${s.name}_password_secret`,
          ref(`aws_db_instance.${s.name}.master_user_secret[0].secret_arn`),
        ),
      ]),
      ...caches.flatMap((s) => [
        outputBlock(
          `${s.name}_host`,
          ref(`aws_elasticache_replication_group.${s.name}.primary_endpoint_address`),
        ),
        outputBlock(`${s.name}_port`, ref(`aws_elasticache_replication_group.${s.name}.port`)),
      ]),
      ...(env.backups.length ? [outputBlock('backup_bucket', ref('aws_s3_bucket.backups.id'))] : []),
      ...(env.repository ? [outputBlock('deployer_role_arn', ref('aws_iam_role.deployer.arn'))] : []),
    ];
    return {
      blocks: [
        ...dbs.map((s) => database(env, s)),
        ...caches.map((s) => cache(env, s)),
        ...(env.backups.length ? backupBucket(env) : []),
        ...dns(env),
        ...deployerRole(env),
      ],
      variables,
      outputs,
      identity: {
        subjects: env.repository ? [{ kind: 'Group', name: `slipway:${env.app.namespace}:deployers` }] : [],
      },
    };
  },
  shared(app: ResolvedApp, _infra: Infrastructure, repositories: string[], repository?: string) {
    const blocks: Block[] = [
      ...(repository
        ? [
            block(
              'resource',
              ['aws_iam_openid_connect_provider', 'github'],
              [...arg('url', `https://${GITHUB_OIDC}`), ...arg('client_id_list', ['sts.amazonaws.com'])],
            ),
          ]
        : []),
      ...repositories.map((repo) =>
        block(
          'resource',
          ['aws_ecr_repository', cloudName(repo, 64, '_')],
          [
            ...arg('name', repo),
            ...arg('image_tag_mutability', 'IMMUTABLE'),
            nested('image_scanning_configuration', [...arg('scan_on_push', true)]),
            nested('encryption_configuration', [...arg('encryption_type', 'KMS')]),
          ],
        ),
      ),
    ];
    return {
      blocks,
      variables: [variableBlock('tags', 'map(string)', 'Tags on every resource.', { app: app.app })],
      outputs: repositories.map((repo) =>
        outputBlock(
          `${cloudName(repo, 64, '_')}_repository_url`,
          ref(`aws_ecr_repository.${cloudName(repo, 64, '_')}.repository_url`),
        ),
      ),
    };
  },
};
