import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { findKubeTool } from '../../tools/kube-binaries.js';
import type { InputHost } from './host.js';

/** The real filesystem and the real helm/kubectl (src/tools/kube-binaries.ts decides which). */
export function nodeHost(
  stdin: NodeJS.ReadableStream,
  env: Readonly<Record<string, string | undefined>>,
): InputHost {
  return {
    readFile: (p) => readFileSync(p, 'utf8'),
    isDirectory: (p) => existsSync(p) && statSync(p).isDirectory(),
    exists: (p) => existsSync(p),
    listDirectory: (p) => readdirSync(p).sort(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of stdin)
        chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
    run: (program, args, cwd) =>
      new Promise((resolve, reject) => {
        execFile(
          program,
          args,
          { cwd, maxBuffer: 256 << 20, env: { ...process.env, ...env } as NodeJS.ProcessEnv },
          (error, stdout, stderr) => {
            if (error) reject(new Error(String(stderr || error.message).trim()));
            else resolve(stdout);
          },
        );
      }),
    helmPath: () => findKubeTool('helm', env),
    kubectlPath: () => findKubeTool('kubectl', env),
  };
}
