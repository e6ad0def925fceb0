/**
 * The Secrets a kustomize-only install needs (src/render/install-secrets.ts). kustomize cannot make
 * a random password, so each overlay has a secretGenerator per Secret reading
 * `secrets/<name>.env`, a file the user writes from the `.env.example` beside it (and never commits:
 * the folder's .gitignore says so); `kubectl apply -k` fails until it exists. The overlay's README.md
 * says exactly what to create.
 */
import type { ResolvedApp } from '../../spec/resolved.js';
import { installSecrets } from '../install-secrets.js';
import { dependencyProvider } from '../../spec/dependency-provider.js';
import { objectName } from '../names.js';
import { credentialLabels, credentialValues } from '../objects/credentials.js';

export interface OverlaySecrets {
  generators: Record<string, unknown>[];
  /** Paths relative to the overlay -> content. */
  files: Map<string, string>;
}

const PASSWORD_HINT =
  'password: letters and digits only, written into url as it is (for example the output of openssl rand -hex 24)';

export function overlaySecrets(app: ResolvedApp): OverlaySecrets {
  const wanted = installSecrets(app);
  const migrations = Object.values(app.services).some((s) => s.migrations);
  const generators: Record<string, unknown>[] = [];
  const files = new Map<string, string>();
  const readme: string[] = [];
  const generator = (name: string, type: string, labels: Record<string, string>) => {
    generators.push({
      name,
      namespace: app.namespace,
      type,
      envs: [`secrets/${name}.env`],
      options: { disableNameSuffixHash: true, labels },
    });
  };
  for (const c of wanted.credentials) {
    generator(c.name, c.shape.type, credentialLabels(app, c.dependency));
    const values = credentialValues(c.shape, '<password>');
    const lines = Object.entries(values).map(([k, v]) => `${k}=${k === 'password' ? '' : v}`);
    files.set(
      `secrets/${c.name}.env.example`,
      `# Credentials of dependency ${c.dependency}: copy to ${c.name}.env, set the ${PASSWORD_HINT}.\n${lines.join('\n')}\n`,
    );
    readme.push(
      `- \`secrets/${c.name}.env\`: credentials of dependency \`${c.dependency}\` (from \`${c.name}.env.example\`: set \`password\` and put the same password in \`url\`${c.shape.keys.includes('admin-password') ? "; set `admin-password` to the server's own admin password" : ''}).`,
    );
  }
  for (const s of wanted.services) {
    generator(s.name, 'Opaque', {
      'app.kubernetes.io/name': s.service,
      'app.kubernetes.io/instance': app.app,
      'app.kubernetes.io/managed-by': 'slipway',
    });
    files.set(
      `secrets/${s.name}.env.example`,
      `# The secrets of service ${s.service}: copy to ${s.name}.env and fill in every value.\n${s.keys.map((k) => `${k}=`).join('\n')}\n`,
    );
    readme.push(
      `- \`secrets/${s.name}.env\`: the secrets of service \`${s.service}\` (${s.keys.join(', ')}).`,
    );
  }
  const external = wanted.external.map(
    (e) =>
      `- Secret \`${e.name}\` (key ${e.keys.join(', ')}) for external dependency \`${e.dependency}\`: \`kubectl --namespace ${app.namespace} create secret generic ${e.name} ${e.keys.map((k) => `--from-literal=${k}=...`).join(' ')}\``,
  );
  if (generators.length) files.set('secrets/.gitignore', '# Secret values: never committed.\n*.env\n');
  if (readme.length || external.length)
    files.set(
      'README.md',
      [
        `# Overlay ${app.environment} (namespace ${app.namespace})`,
        ``,
        `Written by slipway render --format kustomize; change the spec, not these files.`,
        ...(readme.length
          ? [
              ``,
              `\`kubectl apply -k\` needs these files, which you write (they hold secrets; \`secrets/.gitignore\` keeps them out of git). Each has a \`.env.example\` beside it; kustomize cannot make a random password, so you choose one:`,
              ``,
              ...readme,
              ``,
              `Their Secrets keep these names (no hash suffix). Change a password only together with the database (see the runbook), not by editing the file alone.`,
            ]
          : []),
        ...(external.length ? [``, `Create these Secrets yourself before applying:`, ``, ...external] : []),
        ...(migrations && readme.length
          ? [
              ``,
              `On the first install a migration Job may use up its retries before the database accepts connections; apply the rest first, wait for the database, then everything:`,
              ``,
              '```',
              `kubectl create namespace ${app.namespace}   # once`,
              `kubectl apply -k . -l app.kubernetes.io/component!=migration`,
              ...wanted.credentials
                .filter((c) => dependencyProvider(app.dependencies[c.dependency]!) === 'statefulset')
                .map(
                  (c) =>
                    `kubectl --namespace ${app.namespace} rollout status statefulset/${objectName(app.app, c.dependency)}`,
                ),
              `kubectl apply -k .`,
              '```',
            ]
          : []),
        ``,
      ].join('\n'),
    );
  return { generators, files };
}
