import type { RuleCase } from '../rule-harness.js';

/**
 * Terraform rule cases: HCL with the offending line marked by a trailing `# <-` (a comment in HCL
 * too), read as the file `environments/<module>/main.tf`, so `production` cases sit in a production
 * module. The passing cases are what `render --format terraform` writes.
 */
const PRODUCTION = { terraform: { module: 'environments/production' } };

const bucket = (extra: {
  encryption?: string;
  block?: string;
  versioning?: string;
}) => `resource "aws_s3_bucket" "backups" {
  bucket = "shop-backups"
}
${
  extra.encryption ??
  `
resource "aws_s3_bucket_server_side_encryption_configuration" "backups" {
  bucket = aws_s3_bucket.backups.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
`
}${
  extra.block ??
  `
resource "aws_s3_bucket_public_access_block" "backups" {
  bucket                  = aws_s3_bucket.backups.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
`
}${
  extra.versioning ??
  `
resource "aws_s3_bucket_versioning" "backups" {
  bucket = aws_s3_bucket.backups.id

  versioning_configuration {
    status = "Enabled"
  }
}
`
}`;

const rds = (args: string) => `resource "aws_db_instance" "db" {
  identifier              = "shop-production-db"
  engine                  = "postgres"
  instance_class          = "db.t4g.small"
${args}}
`;
const RDS_OK =
  '  storage_encrypted       = true\n  publicly_accessible     = false\n  deletion_protection     = true\n  backup_retention_period = 14\n';

const cloudSql = (
  settings: string,
  top = '  deletion_protection = true\n',
) => `resource "google_sql_database_instance" "db" {
  name             = "shop-production-db"
  database_version = "POSTGRES_16"
${top}
  settings {
    tier = "db-custom-1-3840"

${settings}  }
}
`;
const SQL_OK = `    ip_configuration {
      ipv4_enabled    = false
      private_network = var.network
      ssl_mode        = "ENCRYPTED_ONLY"
    }

    backup_configuration {
      enabled = true

      backup_retention_settings {
        retained_backups = 14
      }
    }
`;

const flexible = (lock: boolean, retention = 14) => `resource "azurerm_postgresql_flexible_server" "db" {
  name                          = "shop-production-db"
  resource_group_name           = var.resource_group
  location                      = "westeurope"
  public_network_access_enabled = false
  backup_retention_days         = ${retention}
}
${
  lock
    ? `
resource "azurerm_management_lock" "db" {
  name       = "shop-production-db"
  scope      = azurerm_postgresql_flexible_server.db.id
  lock_level = "CanNotDelete"
  notes      = "production database"
}
`
    : ''
}`;

const elasticache = (rest: string, transit: string) => `resource "aws_elasticache_replication_group" "cache" {
  replication_group_id       = "shop-cache"
  description                = "cache"
${rest}${transit}}
`;

export const TERRAFORM_CASES: RuleCase[] = [
  {
    rule: 'terraform-encryption-at-rest',
    fail: rds(RDS_OK.replace('storage_encrypted       = true', 'storage_encrypted       = false # <-')),
    pass: rds(RDS_OK),
  },
  {
    rule: 'terraform-encryption-at-rest',
    fail: elasticache('  at_rest_encryption_enabled = false # <-\n', '  transit_encryption_enabled = true\n'),
    pass: elasticache('  at_rest_encryption_enabled = true\n', '  transit_encryption_enabled = true\n'),
  },
  {
    rule: 'terraform-encryption-at-rest',
    fail: bucket({ encryption: '' }).replace('resource "aws_s3_bucket" "backups" {', '$& # <-'),
    pass: bucket({}),
  },
  {
    rule: 'terraform-public-access',
    fail: rds(RDS_OK.replace('publicly_accessible     = false', 'publicly_accessible     = true # <-')),
    pass: rds(RDS_OK),
  },
  {
    rule: 'terraform-public-access',
    fail: bucket({}).replace('block_public_policy     = true', 'block_public_policy     = false # <-'),
    pass: bucket({}),
  },
  {
    rule: 'terraform-public-access',
    fail: cloudSql(SQL_OK.replace('ipv4_enabled    = false', 'ipv4_enabled    = true # <-')),
    pass: cloudSql(SQL_OK),
  },
  {
    rule: 'terraform-public-access',
    fail: flexible(true).replace(
      'public_network_access_enabled = false',
      'public_network_access_enabled = true # <-',
    ),
    pass: flexible(true),
  },
  {
    rule: 'terraform-deletion-protection',
    fail: rds(RDS_OK.replace('deletion_protection     = true', 'deletion_protection     = false # <-')),
    pass: rds(RDS_OK),
    ...PRODUCTION,
  },
  {
    rule: 'terraform-deletion-protection',
    fail: cloudSql(SQL_OK, '  deletion_protection = false # <-\n'),
    pass: cloudSql(SQL_OK),
    ...PRODUCTION,
  },
  {
    rule: 'terraform-deletion-protection',
    fail: flexible(false).replace('resource "azurerm_postgresql_flexible_server" "db" {', '$& # <-'),
    pass: flexible(true),
    ...PRODUCTION,
  },
  {
    rule: 'terraform-backup-retention',
    fail: rds(RDS_OK.replace('backup_retention_period = 14', 'backup_retention_period = 3 # <-')),
    pass: rds(RDS_OK),
    ...PRODUCTION,
  },
  {
    rule: 'terraform-backup-retention',
    fail: cloudSql(SQL_OK.replace('      enabled = true', '      enabled = false # <-')),
    pass: cloudSql(SQL_OK),
  },
  {
    rule: 'terraform-backup-retention',
    fail: flexible(true, 3).replace('backup_retention_days         = 3', '$& # <-'),
    pass: flexible(true),
    ...PRODUCTION,
  },
  {
    rule: 'terraform-encryption-in-transit',
    fail: elasticache('  at_rest_encryption_enabled = true\n', '  transit_encryption_enabled = false # <-\n'),
    pass: elasticache('  at_rest_encryption_enabled = true\n', '  transit_encryption_enabled = true\n'),
  },
  {
    rule: 'terraform-encryption-in-transit',
    fail: cloudSql(
      SQL_OK.replace(
        'ssl_mode        = "ENCRYPTED_ONLY"',
        'ssl_mode        = "ALLOW_UNENCRYPTED_AND_ENCRYPTED" # <-',
      ),
    ),
    pass: cloudSql(SQL_OK),
  },
  {
    rule: 'terraform-bucket-versioning',
    fail: bucket({}).replace('status = "Enabled"', 'status = "Suspended" # <-'),
    pass: bucket({}),
  },
  {
    rule: 'terraform-bucket-versioning',
    fail: `resource "google_storage_bucket" "backups" {
  name                     = "shop-backups"
  location                 = "EU"
  public_access_prevention = "enforced"

  versioning {
    enabled = false # <-
  }
}
`,
    pass: `resource "google_storage_bucket" "backups" {
  name                     = "shop-backups"
  location                 = "EU"
  public_access_prevention = "enforced"

  versioning {
    enabled = true
  }
}
`,
  },
];
