import { isExpression } from '../load/terraform.js';
import type { Manifest, Path, Rule, RuleContext, Violation } from '../types.js';
import { setRule } from './define.js';

/**
 * Rules over Terraform resources (`.tf` files, or the Terraform rendered from slipway.yaml): the
 * settings of the managed databases, caches and buckets Slipway renders that keep data safe. A
 * value Terraform only knows at plan time (a variable, a reference) is not judged: the rules read
 * literals, as tfsec and checkov do without a plan. Defaults are the providers' own (an argument
 * left out of `aws_db_instance` means `storage_encrypted = false`, `backup_retention_period = 0`).
 */

type Check = (m: Manifest, ctx: RuleContext) => Violation[];

/** One rule over the resources of the given types, with the whole module at hand for references. */
function terraformRule(meta: Parameters<typeof setRule>[0], checks: Record<string, Check>): Rule {
  return {
    ...setRule(meta, (ctx) =>
      ctx.manifests.flatMap((m) => {
        const check = m.terraform ? checks[m.ref.kind] : undefined;
        return check ? check(m, ctx) : [];
      }),
    ),
    crossObject: true,
  };
}

/** The value at `path`; nested blocks are lists of bodies, so `[ 'settings', 0, 'tier' ]`. */
function get(m: Manifest, path: Path): unknown {
  let v: unknown = m.body;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

const known = (v: unknown) => v !== undefined && !isExpression(v);
const violation = (m: Manifest, path: Path, message: string): Violation => ({ manifest: m, path, message });
const address = (m: Manifest) => `${m.ref.kind}.${m.ref.name}`;

/** An argument that must be `want` (absent means `absentMeans`, the provider's default). */
function expect(m: Manifest, path: Path, want: unknown, absentMeans: unknown, message: string): Violation[] {
  const v = get(m, path);
  if (v !== undefined && !known(v)) return [];
  return (v === undefined ? absentMeans : v) === want ? [] : [violation(m, path, message)];
}

/** Resources of `type` in the same module whose `argument` refers to `target` (`aws_s3_bucket.x.id`). */
function referencing(ctx: RuleContext, target: Manifest, type: string, argument: string): Manifest[] {
  const pattern = new RegExp(`(^|[^\\w.])${address(target).replace(/\./g, '\\.')}(\\.|\\[|$)`);
  return ctx.manifests.filter((o) => {
    if (o.ref.kind !== type || o.terraform?.module !== target.terraform?.module) return false;
    const v = o.body[argument];
    return isExpression(v) && pattern.test(v.expression);
  });
}

const production = (m: Manifest) => m.terraform?.production === true;

const ENCRYPTION_AT_REST = terraformRule(
  {
    id: 'terraform-encryption-at-rest',
    title: 'Databases, caches and buckets are encrypted at rest',
    severity: 'error',
    category: 'terraform',
    checks:
      'aws_db_instance sets storage_encrypted = true; aws_elasticache_replication_group sets at_rest_encryption_enabled = true; every aws_s3_bucket has an aws_s3_bucket_server_side_encryption_configuration in the same module.',
    rationale:
      'A snapshot, a replica or a disk that leaves the account is readable without encryption at rest, and RDS and ElastiCache cannot encrypt an existing instance later: it must be rebuilt from a snapshot.',
    remediation:
      'Set the argument to true (with kms_key_id for a key of your own), or add an aws_s3_bucket_server_side_encryption_configuration whose bucket is the bucket.',
  },
  {
    aws_db_instance: (m) =>
      expect(m, ['storage_encrypted'], true, false, `${address(m)} stores its data unencrypted`),
    aws_elasticache_replication_group: (m) =>
      expect(
        m,
        ['at_rest_encryption_enabled'],
        true,
        false,
        `${address(m)} keeps its snapshots and swap unencrypted`,
      ),
    aws_s3_bucket: (m, ctx) =>
      referencing(ctx, m, 'aws_s3_bucket_server_side_encryption_configuration', 'bucket').length
        ? []
        : [
            violation(
              m,
              [],
              `${address(m)} has no aws_s3_bucket_server_side_encryption_configuration: objects get S3's default key, not one you control`,
            ),
          ],
  },
);

const S3_BLOCKS = [
  'block_public_acls',
  'block_public_policy',
  'ignore_public_acls',
  'restrict_public_buckets',
];

const PUBLIC_ACCESS = terraformRule(
  {
    id: 'terraform-public-access',
    title: 'Databases, caches and buckets are not reachable from the internet',
    severity: 'error',
    category: 'terraform',
    checks:
      'aws_db_instance is not publicly_accessible; each aws_s3_bucket has an aws_s3_bucket_public_access_block with all four flags true; google_sql_database_instance turns ipv4_enabled off; google_storage_bucket enforces public_access_prevention; azurerm_postgresql_flexible_server, azurerm_redis_cache and azurerm_storage_account turn public_network_access_enabled off (and the storage account allow_nested_items_to_be_public).',
    rationale:
      'A database or bucket with a public endpoint is one leaked password or one permissive policy away from a breach; the app reaches them over the private network anyway.',
    remediation:
      'Turn the public endpoint off and reach the resource through the VPC or private endpoint (private_network / delegated_subnet_id / private endpoints); add the public access block for S3.',
  },
  {
    aws_db_instance: (m) =>
      expect(m, ['publicly_accessible'], false, false, `${address(m)} has a public endpoint`),
    aws_s3_bucket: (m, ctx) => {
      const blocks = referencing(ctx, m, 'aws_s3_bucket_public_access_block', 'bucket');
      if (!blocks.length) return [violation(m, [], `${address(m)} has no aws_s3_bucket_public_access_block`)];
      return blocks.flatMap((b) =>
        S3_BLOCKS.flatMap((flag) =>
          expect(b, [flag], true, false, `${address(b)} leaves ${flag} off for ${address(m)}`),
        ),
      );
    },
    google_sql_database_instance: (m) =>
      expect(
        m,
        ['settings', 0, 'ip_configuration', 0, 'ipv4_enabled'],
        false,
        true,
        `${address(m)} has a public IPv4 address (ipv4_enabled defaults to true)`,
      ),
    google_storage_bucket: (m) =>
      expect(
        m,
        ['public_access_prevention'],
        'enforced',
        'inherited',
        `${address(m)} does not enforce public_access_prevention`,
      ),
    azurerm_postgresql_flexible_server: (m) =>
      expect(m, ['public_network_access_enabled'], false, true, `${address(m)} accepts public connections`),
    azurerm_redis_cache: (m) =>
      expect(m, ['public_network_access_enabled'], false, true, `${address(m)} accepts public connections`),
    azurerm_storage_account: (m) => [
      ...expect(
        m,
        ['public_network_access_enabled'],
        false,
        true,
        `${address(m)} accepts public connections`,
      ),
      ...expect(
        m,
        ['allow_nested_items_to_be_public'],
        false,
        true,
        `${address(m)} lets containers and blobs be made public`,
      ),
    ],
  },
);

const DB_LOCKED = (m: Manifest, ctx: RuleContext) =>
  referencing(ctx, m, 'azurerm_management_lock', 'scope').some((l) => l.body.lock_level === 'CanNotDelete');

const DELETION_PROTECTION = terraformRule(
  {
    id: 'terraform-deletion-protection',
    title: 'Production databases are protected from deletion',
    severity: 'error',
    category: 'terraform',
    checks:
      'In a production module (a directory named production, prod or prd; for slipway.yaml, a production environment): aws_db_instance sets deletion_protection = true; google_sql_database_instance does not set deletion_protection = false; azurerm_postgresql_flexible_server and azurerm_mysql_flexible_server have an azurerm_management_lock with lock_level CanNotDelete on them (their resources have no such flag).',
    rationale:
      'A rename, a moved resource or a mistaken `terraform destroy` plans a delete-and-create; with protection on, the cloud refuses the delete and the data survives the mistake.',
    remediation:
      'Set deletion_protection = true, or add `resource "azurerm_management_lock"` with scope = the server id and lock_level = "CanNotDelete".',
  },
  {
    aws_db_instance: (m) =>
      production(m)
        ? expect(m, ['deletion_protection'], true, false, `production database ${address(m)} can be deleted`)
        : [],
    google_sql_database_instance: (m) =>
      production(m)
        ? expect(m, ['deletion_protection'], true, true, `production database ${address(m)} can be deleted`)
        : [],
    azurerm_postgresql_flexible_server: (m, ctx) =>
      production(m) && !DB_LOCKED(m, ctx)
        ? [violation(m, [], `production database ${address(m)} has no CanNotDelete management lock`)]
        : [],
    azurerm_mysql_flexible_server: (m, ctx) =>
      production(m) && !DB_LOCKED(m, ctx)
        ? [violation(m, [], `production database ${address(m)} has no CanNotDelete management lock`)]
        : [],
  },
);

/** Days of automated backups production keeps at least (a week covers a mistake found after a weekend). */
export const PRODUCTION_RETENTION_DAYS = 7;

function retention(m: Manifest, path: Path, days: unknown, what: string): Violation[] {
  if (days !== undefined && typeof days !== 'number') return [];
  const n = days ?? 0;
  const floor = production(m) ? PRODUCTION_RETENTION_DAYS : 1;
  if (n >= floor) return [];
  return [
    violation(
      m,
      path,
      n === 0
        ? `${address(m)} keeps no automated backups`
        : `${address(m)} keeps ${what} for ${n} day(s); production keeps at least ${PRODUCTION_RETENTION_DAYS}`,
    ),
  ];
}

const BACKUP_RETENTION = terraformRule(
  {
    id: 'terraform-backup-retention',
    title: 'Databases keep automated backups long enough',
    severity: 'error',
    category: 'terraform',
    checks: `aws_db_instance sets backup_retention_period (the provider's default, 0, turns backups off); google_sql_database_instance enables settings.backup_configuration; in production both, and azurerm_postgresql_flexible_server / azurerm_mysql_flexible_server backup_retention_days, keep at least ${PRODUCTION_RETENTION_DAYS} days.`,
    rationale:
      'Point-in-time recovery needs the automated backups; without them the only way back from a bad migration or a dropped table is whatever dump someone made by hand.',
    remediation: `Set the retention to at least ${PRODUCTION_RETENTION_DAYS} days in production (Slipway renders backups.<dep>.keep, at least ${PRODUCTION_RETENTION_DAYS}).`,
  },
  {
    aws_db_instance: (m) =>
      retention(m, ['backup_retention_period'], get(m, ['backup_retention_period']), 'backups'),
    google_sql_database_instance: (m) => {
      const config = ['settings', 0, 'backup_configuration', 0];
      const enabled = get(m, [...config, 'enabled']);
      if (enabled !== true)
        return known(enabled) || enabled === undefined
          ? [violation(m, [...config, 'enabled'], `${address(m)} keeps no automated backups`)]
          : [];
      if (!production(m)) return [];
      const kept = get(m, [...config, 'backup_retention_settings', 0, 'retained_backups']);
      // Cloud SQL keeps 7 backups when the count is not set.
      return retention(
        m,
        [...config, 'backup_retention_settings', 0, 'retained_backups'],
        kept ?? PRODUCTION_RETENTION_DAYS,
        'backups',
      );
    },
    azurerm_postgresql_flexible_server: (m) =>
      production(m)
        ? retention(m, ['backup_retention_days'], get(m, ['backup_retention_days']) ?? 7, 'backups')
        : [],
    azurerm_mysql_flexible_server: (m) =>
      production(m)
        ? retention(m, ['backup_retention_days'], get(m, ['backup_retention_days']) ?? 7, 'backups')
        : [],
  },
);

const ENCRYPTION_IN_TRANSIT = terraformRule(
  {
    id: 'terraform-encryption-in-transit',
    title: 'Databases and caches accept only TLS connections',
    severity: 'error',
    category: 'terraform',
    checks:
      'aws_elasticache_replication_group sets transit_encryption_enabled = true; google_redis_instance sets transit_encryption_mode = "SERVER_AUTHENTICATION"; google_sql_database_instance sets ip_configuration.ssl_mode to ENCRYPTED_ONLY or TRUSTED_CLIENT_CERTIFICATE_REQUIRED; azurerm_redis_cache does not enable non_ssl_port_enabled; azurerm_storage_account keeps https_traffic_only_enabled.',
    rationale:
      'Credentials and data cross the cluster network and the provider network in the clear without TLS; every client Slipway wires (rediss://, sslmode=require) speaks TLS already.',
    remediation: 'Turn the setting on (for Redis, clients then connect with rediss://).',
  },
  {
    aws_elasticache_replication_group: (m) =>
      expect(m, ['transit_encryption_enabled'], true, false, `${address(m)} accepts connections without TLS`),
    google_redis_instance: (m) =>
      expect(
        m,
        ['transit_encryption_mode'],
        'SERVER_AUTHENTICATION',
        'DISABLED',
        `${address(m)} accepts connections without TLS`,
      ),
    google_sql_database_instance: (m) => {
      const path = ['settings', 0, 'ip_configuration', 0, 'ssl_mode'];
      const v = get(m, path);
      if (v !== undefined && !known(v)) return [];
      return v === 'ENCRYPTED_ONLY' || v === 'TRUSTED_CLIENT_CERTIFICATE_REQUIRED'
        ? []
        : [violation(m, path, `${address(m)} accepts connections without TLS`)];
    },
    azurerm_redis_cache: (m) =>
      expect(m, ['non_ssl_port_enabled'], false, false, `${address(m)} opens the non-TLS port 6379`),
    azurerm_storage_account: (m) =>
      expect(m, ['https_traffic_only_enabled'], true, true, `${address(m)} accepts plain HTTP requests`),
  },
);

const BUCKET_VERSIONING = terraformRule(
  {
    id: 'terraform-bucket-versioning',
    title: 'Backup buckets keep object versions',
    severity: 'warning',
    category: 'terraform',
    checks:
      'every aws_s3_bucket has an aws_s3_bucket_versioning with status "Enabled"; google_storage_bucket sets versioning.enabled; azurerm_storage_account sets blob_properties.versioning_enabled.',
    rationale:
      'A backup overwritten or deleted by a compromised or mistaken writer is gone unless the bucket kept the version before.',
    remediation:
      'Enable versioning (and a lifecycle rule that expires old versions, as Slipway renders from backups.<dep>.keep).',
  },
  {
    aws_s3_bucket: (m, ctx) => {
      const v = referencing(ctx, m, 'aws_s3_bucket_versioning', 'bucket');
      if (!v.length) return [violation(m, [], `${address(m)} has no aws_s3_bucket_versioning`)];
      return v.flatMap((b) =>
        expect(
          b,
          ['versioning_configuration', 0, 'status'],
          'Enabled',
          undefined,
          `${address(b)} does not enable versioning on ${address(m)}`,
        ),
      );
    },
    google_storage_bucket: (m) =>
      expect(m, ['versioning', 0, 'enabled'], true, false, `${address(m)} keeps no object versions`),
    azurerm_storage_account: (m) =>
      expect(
        m,
        ['blob_properties', 0, 'versioning_enabled'],
        true,
        false,
        `${address(m)} keeps no blob versions`,
      ),
  },
);

export const TERRAFORM_RULES: Rule[] = [
  ENCRYPTION_AT_REST,
  PUBLIC_ACCESS,
  DELETION_PROTECTION,
  BACKUP_RETENTION,
  ENCRYPTION_IN_TRANSIT,
  BUCKET_VERSIONING,
];
