/**
 * The sandbox configuration: which images run as real local processes (and how), which images
 * count as missing (ImagePullBackOff), per-image faults, the simulated kubelet's timings, and
 * faults of the API server itself (`api.faults`).
 * A built-in default maps `sample-service` to the package's images/sample-service.mjs, so tests need no
 * file; a YAML file (docs/sandbox-runtime.md) adds to it.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { SandboxError, EXIT_BAD_INPUT } from '../errors.js';
import { apiFaultsSchema } from '../server/faults.js';

export const DEFAULT_SIMULATED_STARTUP_MS = 300;
export const DEFAULT_BACKOFF_INITIAL_MS = 1_000;
export const DEFAULT_BACKOFF_MAX_MS = 30_000;
export const DEFAULT_IMAGE_PULL_BACKOFF_MS = 1_000;

const imageRule = z.strictObject({
  /** Image repository to match: `sample-service`, `ghcr.io/acme/api`, with `*` as a wildcard. */
  match: z.string().min(1),
  /** argv of the local process; `${tag}`, `${port}`, `${podDir}`, `${podIP}`, `${dataDir}` are substituted. Absent: simulated. */
  command: z.array(z.string()).min(1).optional(),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  /**
   * Tool images: a container that names its own `command` runs that command (and its `args`) on the
   * host; one that gives only `args` gets them after the rule's command, as an image's CMD follows its
   * ENTRYPOINT. The rule's `command`, `cwd` and `env` apply only when the container gives no command.
   */
  hostCommand: z.boolean().optional(),
  /** Host programs the rule's command needs (a name on PATH, or an absolute path where `*` matches a directory); missing → the container fails naming `package`. */
  requires: z.array(z.strictObject({ binary: z.string().min(1), package: z.string().min(1) })).optional(),
  /** How to read the host program's version, compared with the image tag (an Event when they differ). */
  hostVersion: z
    .strictObject({
      command: z.array(z.string()).min(1),
      /** A regular expression whose first group is the version (`v=(\\d+(?:\\.\\d+)*)`). */
      pattern: z.string().min(1),
      /** The product as the event names it: `PostgreSQL`, `Redis`, `MariaDB`. */
      product: z.string().min(1),
      /** False when the image is another product than the host's (mysql → MariaDB): always an event. */
      sameProduct: z.boolean().default(true),
    })
    .optional(),
  /** Faults for every pod of the image, same syntax as the pod annotation. */
  faults: z.string().optional(),
});

const configSchema = z.strictObject({
  images: z.array(imageRule).default([]),
  /** Image patterns (`*:broken`, `ghcr.io/acme/gone:*`) that fail to pull. */
  missingImages: z.array(z.string()).default([]),
  simulated: z
    .strictObject({ startupMs: z.number().int().min(0).default(DEFAULT_SIMULATED_STARTUP_MS) })
    .prefault({}),
  crashLoopBackoff: z
    .strictObject({
      initialMs: z.number().int().min(1).default(DEFAULT_BACKOFF_INITIAL_MS),
      maxMs: z.number().int().min(1).default(DEFAULT_BACKOFF_MAX_MS),
    })
    .prefault({}),
  /** The API server's own behaviour: `faults` makes it flaky (docs/sandbox.md). */
  api: z.strictObject({ faults: apiFaultsSchema.optional() }).prefault({}),
});

export type ImageRule = z.infer<typeof imageRule>;
export type SandboxConfig = z.infer<typeof configSchema>;
export type SandboxConfigInput = z.input<typeof configSchema>;

/** The package's built-in image programs (images/, beside src/ and dist/). */
const IMAGES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../images');

export const SAMPLE_SERVICE_RULE: ImageRule = {
  match: 'sample-service',
  command: [process.execPath, resolve(IMAGES_DIR, 'sample-service.mjs')],
  env: { VERSION: '${tag}', PORT: '${port}' },
};

const POSTGRES_BIN = '/usr/lib/postgresql/*/bin';

/**
 * The dependency kinds Slipway renders, run by the host's Debian packages through small wrappers
 * that behave like the official images' entrypoints (images/*.mjs), plus tool images whose
 * containers name their own command (backup and restore Jobs).
 */
export const DATABASE_RULES: ImageRule[] = [
  {
    match: 'postgres',
    command: [process.execPath, resolve(IMAGES_DIR, 'postgres.mjs')],
    env: { PORT: '${port}', SANDBOX_DATA_DIR: '${dataDir}' },
    hostCommand: true,
    requires: [
      { binary: `${POSTGRES_BIN}/postgres`, package: 'postgresql' },
      { binary: `${POSTGRES_BIN}/initdb`, package: 'postgresql' },
    ],
    hostVersion: {
      command: [`${POSTGRES_BIN}/postgres`, '--version'],
      pattern: '\\(PostgreSQL\\) (\\d+(?:\\.\\d+)*)',
      product: 'PostgreSQL',
      sameProduct: true,
    },
  },
  {
    match: 'redis',
    command: [process.execPath, resolve(IMAGES_DIR, 'redis.mjs')],
    env: { PORT: '${port}' },
    hostCommand: true,
    requires: [{ binary: 'redis-server', package: 'redis-server' }],
    hostVersion: {
      command: ['redis-server', '--version'],
      pattern: 'v=(\\d+(?:\\.\\d+)*)',
      product: 'Redis',
      sameProduct: true,
    },
  },
  ...(['mariadb', 'mysql'] as const).map((match): ImageRule => ({
    match,
    command: [process.execPath, resolve(IMAGES_DIR, 'mariadb.mjs')],
    env: { PORT: '${port}', SANDBOX_DATA_DIR: '${dataDir}', MYSQL_TCP_PORT: '${port}' },
    hostCommand: true,
    requires: [
      { binary: 'mariadbd', package: 'mariadb-server' },
      { binary: 'mariadb-install-db', package: 'mariadb-server' },
      { binary: 'mariadb', package: 'mariadb-client' },
    ],
    hostVersion: {
      command: ['mariadbd', '--version'],
      pattern: 'Ver (\\d+(?:\\.\\d+)*)',
      product: 'MariaDB',
      sameProduct: match === 'mariadb',
    },
  })),
  ...['keinos/sqlite3', 'alpine/sqlite'].map((match): ImageRule => ({
    match,
    command: ['sqlite3'],
    hostCommand: true,
    requires: [{ binary: 'sqlite3', package: 'sqlite3' }],
  })),
  {
    match: 'rclone/rclone',
    command: ['rclone'],
    hostCommand: true,
    requires: [{ binary: 'rclone', package: 'rclone' }],
  },
];

/** Defaults merged under any user file: sample-service and the databases run for real, tag `broken` never pulls. */
export function defaultSandboxConfig(): SandboxConfig {
  return configSchema.parse({
    images: [SAMPLE_SERVICE_RULE, ...DATABASE_RULES],
    missingImages: ['*:broken'],
  });
}

/** User rules come first so they can override the built-in mapping. */
export function mergeSandboxConfig(user: SandboxConfigInput | undefined): SandboxConfig {
  const base = defaultSandboxConfig();
  if (!user) return base;
  const u = configSchema.parse(user);
  return {
    ...u,
    images: [...u.images, ...base.images],
    missingImages: [...u.missingImages, ...base.missingImages],
  };
}

export function loadSandboxConfig(file: string): SandboxConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SandboxError(`cannot read the sandbox config ${file}: ${(e as Error).message}`, {
      code: 'sandbox-config-unreadable',
      exitCode: EXIT_BAD_INPUT,
    });
  }
  const doc = parseDocument(text);
  if (doc.errors.length) {
    const err = doc.errors[0] as { message: string; linePos?: { line: number; col: number }[] };
    const pos = err.linePos?.[0];
    throw new SandboxError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${err.message}`, {
      code: 'sandbox-config-yaml',
      exitCode: EXIT_BAD_INPUT,
    });
  }
  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    throw new SandboxError(`${file}: ${path || '(top level)'}: ${issue?.message}`, {
      code: 'sandbox-config-invalid',
      path,
      hint: 'see docs/sandbox-runtime.md (images, pod faults) and docs/sandbox.md (api.faults) for the format',
      exitCode: EXIT_BAD_INPUT,
    });
  }
  const base = defaultSandboxConfig();
  return {
    ...parsed.data,
    images: [...parsed.data.images, ...base.images],
    missingImages: [...parsed.data.missingImages, ...base.missingImages],
  };
}

/** `ghcr.io/acme/api:1.2` → repository `ghcr.io/acme/api`, name `api`, tag `1.2`. */
export function parseImage(image: string): { repository: string; name: string; tag: string } {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const repository = hasTag ? ref.slice(0, colon) : ref;
  const tag = at >= 0 ? image.slice(at + 1) : hasTag ? ref.slice(colon + 1) : 'latest';
  return { repository, name: repository.slice(repository.lastIndexOf('/') + 1), tag };
}

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** The first rule whose `match` equals the image's short name or full repository (globs allowed). */
export function ruleFor(config: SandboxConfig, image: string): ImageRule | undefined {
  const { repository, name } = parseImage(image);
  return config.images.find((r) => glob(r.match).test(name) || glob(r.match).test(repository));
}

export function isMissingImage(config: SandboxConfig, image: string): boolean {
  const { repository, name, tag } = parseImage(image);
  return config.missingImages.some((p) => {
    const re = glob(p);
    return re.test(image) || re.test(`${name}:${tag}`) || re.test(`${repository}:${tag}`);
  });
}
