import { describe, expect, it } from 'vitest';
import { secretReason } from './secrets.js';

describe('secretReason', () => {
  it.each([
    ['DB_PASSWORD', 'hunter22'],
    ['STRIPE_API_KEY', 'abc123def456'],
    ['JWT_SECRET_KEY', 'k3y'],
    ['ANY', 'postgres://app:s3cret@db:5432/app'],
    ['ANY', 'AKIAIOSFODNN7EXAMPLE'],
    ['ANY', '-----BEGIN RSA PRIVATE KEY-----\nMIIE'],
  ])('flags %s=%s', (name, value) => expect(secretReason(name, value)).toBeDefined());

  it.each([
    ['TOKEN_AUDIENCE', 'api'],
    ['PASSWORD_MIN_LENGTH', '12'],
    ['DB_PASSWORD_FILE', '/run/secrets/db'],
    ['DB_PASSWORD', '$(DB_PASSWORD_FROM_SECRET)'],
    ['AUTH_TOKEN', ''],
    ['SECRET_NAME', 'db-credentials'],
    ['DATABASE_URL', 'postgres://app@db:5432/app'],
    ['DATABASE_URL', 'postgres://app:$(DB_PASSWORD)@db:5432/app'],
    ['ENABLE_TOKEN', 'true'],
    ['LOG_LEVEL', 'info'],
  ])('does not flag %s=%s', (name, value) => expect(secretReason(name, value)).toBeUndefined());
});
