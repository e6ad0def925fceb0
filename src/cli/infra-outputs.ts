/** Reads `--infra-outputs FILE` for deploy: the file is read here, everything else is src/infra/outputs.ts. */
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { parseTerraformOutputs, withManagedEndpoints } from '../infra/outputs.js';

export async function readManagedEndpoints(app: ResolvedApp, file: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      code: 'deploy/infra-outputs',
      path: '--infra-outputs',
      hint: 'write it with: terraform -chdir=environments/<env> output -json > FILE',
    });
  }
  return withManagedEndpoints(app, parseTerraformOutputs(text, file), file);
}
