import type { App, Backup, Dependency, Deploy, Service } from './schema.js';

/**
 * One environment's effective spec: the top level with that environment's overlay merged in
 * (maps deep-merge, lists replace unless keyed by name), `replicas` shorthand applied to every
 * long-running service that does not set its own, and every `${ref}` checked. This is what
 * render, policy and the deploy engine consume; nothing downstream reads `environments`.
 */
export interface ResolvedApp extends Omit<
  App,
  '$schema' | 'environments' | 'services' | 'dependencies' | 'deploy' | 'backups'
> {
  environment: string;
  /** Defaults to the app name when neither the app nor the environment names one. */
  namespace: string;
  approval: 'required' | 'none';
  domain?: string;
  services: Record<string, Service>;
  dependencies: Record<string, Dependency>;
  deploy: Deploy;
  backups: Record<string, Backup>;
  /** The environments the spec declares, for writers that emit one file per environment. */
  environments: string[];
  /**
   * Per service, a keyed checksum of the values of its Secret (set by a deploy that opened the
   * environment's secrets file, src/secrets); render puts it on the pod template, so a changed value
   * rolls exactly the workloads that use it. Never the values themselves.
   */
  secretChecksums?: Record<string, string>;
  /**
   * Per in-cluster dependency, the version of its generated credentials as the live credentials
   * Secret's annotation says (set by the deploy; `slipway secrets rotate` bumps it): render puts it
   * on the pod templates whose env reads those credentials, so a rotation rolls exactly them.
   */
  credentialVersions?: Record<string, string>;
  /**
   * Per managed dependency turned external by `deploy --infra-outputs`, a checksum of the endpoint
   * URL its Secret holds: render puts it on the pod templates whose env reads that Secret, so a
   * changed endpoint rolls exactly them (env from a Secret is read when a container starts).
   */
  endpointChecksums?: Record<string, string>;
}
