/**
 * The Secrets an install by Helm or kustomize alone needs and `slipway deploy` would otherwise
 * make or expect: the generated credentials of in-cluster dependencies, each service's `secrets:`
 * (unless an External Secrets store fills them) and the Secrets external dependencies name. The
 * Helm writer turns them into templates, the kustomize writer into secretGenerators, and both say
 * exactly what the user must create.
 */
import type { ResolvedApp } from '../spec/resolved.js';
import { dependencyCredentialsName, serviceSecretName } from './names.js';
import { credentialShape, type CredentialShape } from './objects/credentials.js';

export interface InstallSecrets {
  credentials: Array<{ dependency: string; name: string; shape: CredentialShape }>;
  /** A service's `secrets:` values: the user supplies them. */
  services: Array<{ service: string; name: string; keys: string[] }>;
  /** Secrets of external dependencies: the user creates them. */
  external: Array<{ dependency: string; name: string; keys: string[] }>;
}

export function installSecrets(app: ResolvedApp): InstallSecrets {
  const out: InstallSecrets = { credentials: [], services: [], external: [] };
  for (const dependency of Object.keys(app.dependencies).sort()) {
    const shape = credentialShape(app, dependency);
    if (shape)
      out.credentials.push({ dependency, name: dependencyCredentialsName(app.app, dependency), shape });
    const external = app.dependencies[dependency]?.external;
    if (external) out.external.push({ dependency, name: external.secret, keys: [external.key ?? 'url'] });
  }
  // An External Secrets store's operator makes the services' Secrets (render writes its objects).
  if (!app.secrets?.store || app.secrets.store === 'sops')
    for (const service of Object.keys(app.services).sort()) {
      const keys = [...new Set(app.services[service]?.secrets ?? [])].sort();
      if (keys.length) out.services.push({ service, name: serviceSecretName(app.app, service), keys });
    }
  return out;
}
