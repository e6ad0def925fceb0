/** Where an environment's secrets file is, for the `slipway secrets` commands: the spec names the environment and may name the path. */
import { UserError } from '../errors.js';
import { secretsLocation, type SecretsLocation } from '../secrets/local.js';
import type { Secrets } from '../spec/schema.js';
import { environmentNames } from '../spec/resolve.js';
import type { Io } from './io.js';
import { loadSpec } from './load-spec.js';

export interface TargetFile {
  file: string;
  env: string;
}

/** The file for an environment the spec declares. */
export async function locate(flags: TargetFile, io: Io): Promise<SecretsLocation> {
  const app = await loadSpec(flags.file, { cwd: io.cwd });
  const names = environmentNames(app);
  if (!names.includes(flags.env)) {
    throw new UserError(`${flags.file}: no environment ${flags.env}`, {
      code: 'secrets-environment',
      path: 'environments',
      hint: `one of: ${names.join(', ')}`,
    });
  }
  const settings = {
    ...app.secrets,
    ...(app.environments?.[flags.env] as { secrets?: Secrets } | undefined)?.secrets,
  };
  if (settings.store && settings.store !== 'sops') {
    throw new UserError(
      `environment ${flags.env}: secrets.store is ${settings.store}: the values live there, not in a file`,
      {
        code: 'secrets-store',
        path: 'secrets.store',
        hint: 'write them with the store\'s own tools (docs/secrets.md, "External stores")',
      },
    );
  }
  return secretsLocation(io.cwd, flags.file, flags.env, settings.file ?? undefined);
}
