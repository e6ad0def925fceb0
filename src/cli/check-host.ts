import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserErrors } from '../errors.js';
import { MAX_YAML_BYTES, tooLarge } from '../spec/yaml-input.js';
import { findKubeTool, TOOL_HINTS } from '../tools/kube-binaries.js';
import type { InputHost } from '../policy/sources/host.js';
import { readStdinText } from './stdin.js';

/** The real filesystem and the real helm/kubectl (src/tools/kube-binaries.ts decides which). */
export function nodeHost(
  stdin: NodeJS.ReadableStream,
  env: Readonly<Record<string, string | undefined>>,
): InputHost {
  return {
    readFile: (p) => {
      // A file above the cap is refused before it is read into memory (src/spec/yaml-input.ts).
      const { size } = statSync(p);
      if (size > MAX_YAML_BYTES) throw new UserErrors([tooLarge(p, size)], 'check/too-large');
      return readFileSync(p, 'utf8');
    },
    isDirectory: (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() === true,
    exists: (p) => existsSync(p),
    listDirectory: (p) => readdirSync(p).sort(),
    readStdin: () => readStdinText(stdin, 'check/too-large'),
    run: (program, args, cwd) =>
      new Promise((resolve, reject) => {
        execFile(
          program,
          args,
          { cwd, maxBuffer: 256 << 20, env: { ...process.env, ...env } as NodeJS.ProcessEnv },
          (error, stdout, stderr) => {
            // The code survives (ENOENT: the program does not exist) so the caller can say what to install.
            if (error)
              reject(Object.assign(new Error(String(stderr || error.message).trim()), { code: error.code }));
            else resolve(stdout);
          },
        );
      }),
    helmPath: () => findKubeTool('helm', env),
    kubectlPath: () => findKubeTool('kubectl', env),
    toolHint: (tool) => TOOL_HINTS[tool],
    withScratchDir: async (use) => {
      const dir = mkdtempSync(join(tmpdir(), 'slipway-check-'));
      try {
        return await use(dir, (name, text) => writeFileSync(join(dir, name), text));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
