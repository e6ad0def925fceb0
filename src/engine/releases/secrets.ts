/**
 * Release records as cluster Secrets, one per revision, in the app's namespace: Helm's Secrets
 * driver (`pkg/storage/driver/secrets.go`) with our names. Name
 * `slipway.release.v1.<app>-<env>.v<revision>`, type `slipway.dev/release.v1`, labels for
 * owner/app/env/status/revision so history is one labelled list, and `data.release` holding the
 * record as gzip-compressed JSON, base64-encoded before the Secret's own base64 (Helm's
 * encodeRelease does the same, which keeps records well under the 1 MiB Secret limit).
 */
import type { KubeObject } from '@slipway/kube';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isClusterError, type Cluster } from '../../cluster/cluster.js';
import { UserError, EXIT_NEEDS_ATTENTION } from '../../errors.js';
import { releaseKey, type Release } from './release.js';
import { revisionMissing, revisionTaken } from './memory.js';
import { highest, type ReleaseStore } from './store.js';

export const RELEASE_SECRET_TYPE = 'slipway.dev/release.v1';
export const RELEASE_FIELD_MANAGER = 'slipway';
export const LABEL_OWNER = 'owner';
export const LABEL_APP = 'slipway.dev/app';
export const LABEL_ENV = 'slipway.dev/env';
export const LABEL_STATUS = 'slipway.dev/status';
export const LABEL_REVISION = 'slipway.dev/revision';

interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

export function releaseSecretName(app: string, environment: string, revision: number): string {
  return `slipway.release.v1.${releaseKey(app, environment)}.v${revision}`;
}

export function encodeRelease(release: Release): string {
  return gzipSync(Buffer.from(JSON.stringify(release), 'utf8')).toString('base64');
}

export function decodeRelease(encoded: string): Release {
  return JSON.parse(gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8')) as Release;
}

/** What a Secret's data may hold in all (the API server refuses more): Kubernetes' MaxSecretSize, 1 MiB. */
export const MAX_SECRET_DATA_BYTES = 1024 * 1024;

export function releaseSecret(release: Release, namespace: string): Secret {
  const body = encodeRelease(release);
  if (body.length > MAX_SECRET_DATA_BYTES)
    throw new UserError(
      `release ${release.app} revision ${release.revision} in ${release.environment} is ${body.length} bytes compressed; a Secret holds at most ${MAX_SECRET_DATA_BYTES}`,
      {
        code: 'release-too-large',
        exitCode: EXIT_NEEDS_ATTENTION,
        hint: 'the record keeps the rendered objects (ConfigMap contents included): move large config files out of config[].from, or split the app',
      },
    );
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: releaseSecretName(release.app, release.environment, release.revision),
      namespace,
      labels: {
        [LABEL_OWNER]: 'slipway',
        [LABEL_APP]: release.app,
        [LABEL_ENV]: release.environment,
        [LABEL_STATUS]: release.phase,
        [LABEL_REVISION]: String(release.revision),
      },
    },
    type: RELEASE_SECRET_TYPE,
    // The Secret's data values are base64 on the wire: encode the already-base64 body once more.
    data: { release: Buffer.from(body, 'utf8').toString('base64') },
  };
}

export class SecretReleaseStore implements ReleaseStore {
  constructor(
    private readonly cluster: Cluster,
    private readonly namespace: string,
  ) {}

  async create(release: Release): Promise<void> {
    try {
      await this.cluster.create(releaseSecret(release, this.namespace), {
        fieldManager: RELEASE_FIELD_MANAGER,
      });
    } catch (err) {
      if (isClusterError(err, 'AlreadyExists')) throw revisionTaken(release);
      throw err;
    }
  }

  async update(release: Release): Promise<void> {
    const ref = this.ref(release.app, release.environment, release.revision);
    const live = await this.cluster.get<Secret>(ref);
    if (!live) throw revisionMissing(release);
    const next = releaseSecret(release, this.namespace);
    next.metadata.resourceVersion = live.metadata.resourceVersion;
    await this.cluster.replace(next, { fieldManager: RELEASE_FIELD_MANAGER });
  }

  async get(app: string, environment: string, revision: number): Promise<Release | undefined> {
    const secret = await this.cluster.get<Secret>(this.ref(app, environment, revision));
    return secret ? this.decode(secret) : undefined;
  }

  async list(app: string, environment: string): Promise<Release[]> {
    const { items } = await this.cluster.list<Secret>(
      { apiVersion: 'v1', kind: 'Secret', namespace: this.namespace },
      { labelSelector: { [LABEL_OWNER]: 'slipway', [LABEL_APP]: app, [LABEL_ENV]: environment } },
    );
    return items.map((s) => this.decode(s)).sort((a, b) => a.revision - b.revision);
  }

  async latest(app: string, environment: string): Promise<Release | undefined> {
    return highest(await this.list(app, environment));
  }

  async deployed(app: string, environment: string): Promise<Release | undefined> {
    return highest(await this.list(app, environment), 'deployed');
  }

  private ref(app: string, environment: string, revision: number) {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: this.namespace,
      name: releaseSecretName(app, environment, revision),
    };
  }

  private decode(secret: Secret): Release {
    const body = secret.data?.release;
    try {
      if (!body) throw new Error('no data.release');
      return decodeRelease(Buffer.from(body, 'base64').toString('utf8'));
    } catch (err) {
      throw new UserError(
        `release record Secret ${this.namespace}/${secret.metadata.name} is unreadable: ${(err as Error).message}`,
        {
          code: 'release-corrupt',
          exitCode: EXIT_NEEDS_ATTENTION,
          hint: `inspect it with \`kubectl -n ${this.namespace} get secret ${secret.metadata.name} -o yaml\`; delete it only if that revision is not serving`,
        },
      );
    }
  }
}
