/**
 * A deploy's secrets: when a service lists `secrets:` and the environment has a secrets file
 * (secrets/ENV.yaml beside the spec), open it with the key from SLIPWAY_AGE_KEY(_FILE) and build
 * the Secrets and pod-template checksums before anything is applied. Without a file the Secrets are
 * left to whoever manages them today (nothing changes for such specs).
 */
import { stat } from 'node:fs/promises';
import type { Cluster } from '../cluster/cluster.js';
import { liveCredentialVersions } from '../engine/credentials.js';
import { deploySecrets, type DeploySecrets } from '../secrets/kube-secrets.js';
import { ageIdentities, readSecretsText, secretsLocation } from '../secrets/local.js';
import { openSecrets } from '../secrets/secrets-file.js';
import type { ResolvedApp } from '../spec/resolved.js';
import type { Io } from './io.js';

export async function openDeploySecrets(
  app: ResolvedApp,
  specFile: string,
  io: Io,
): Promise<DeploySecrets | undefined> {
  if (!Object.values(app.services).some((s) => (s.secrets ?? []).length > 0)) return undefined;
  // An external store's operator makes the Secrets in the cluster (render writes its objects).
  if (app.secrets?.store && app.secrets.store !== 'sops') return undefined;
  const where = secretsLocation(io.cwd, specFile, app.environment, app.secrets?.file);
  if (
    !(await stat(where.path).then(
      () => true,
      () => false,
    ))
  )
    return undefined;
  const opened = await openSecrets(
    await readSecretsText(where),
    { file: where.display, environment: app.environment },
    await ageIdentities(io.env, io.cwd),
  );
  return deploySecrets(app, opened.values, opened.dataKey, where.display);
}

/** The app with its secrets' checksums, which render puts on the pod templates. */
export function withSecretChecksums(app: ResolvedApp, secrets: DeploySecrets | undefined): ResolvedApp {
  return secrets ? { ...app, secretChecksums: secrets.checksums } : app;
}

/** The app with the live version of each rotated dependency's credentials, which render puts on their readers. */
export async function withCredentialVersions(app: ResolvedApp, cluster: Cluster): Promise<ResolvedApp> {
  const versions = await liveCredentialVersions(cluster, app);
  return versions ? { ...app, credentialVersions: versions } : app;
}
