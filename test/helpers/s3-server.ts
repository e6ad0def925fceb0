/**
 * An S3-compatible server on loopback for tests (the npm `s3rver`, files in a temporary directory),
 * with the buckets given made at start. Its keys are s3rver's fixed ones.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
// @ts-expect-error -- s3rver ships no type declarations; the two calls used here are typed below.
import S3rver from 's3rver';

export interface S3Server {
  endpoint: string;
  /** s3rver's keys, as the AWS SDKs and rclone read them from the environment. */
  keys: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string };
  /** The object keys stored in a bucket, sorted. */
  objects(bucket: string): string[];
  stop(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

export async function startS3Server(buckets: string[]): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const server = new (S3rver as new (options: Record<string, unknown>) => S3rverInstance)({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    keys: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    objects: (bucket) => {
      // s3rver keeps each object as `<key>._S3rver_object` beside its metadata files.
      const root = join(directory, bucket);
      const out: string[] = [];
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (name.endsWith('._S3rver_object'))
            out.push(relative(root, path).slice(0, -'._S3rver_object'.length));
        }
      };
      walk(root);
      return out.sort();
    },
    stop: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
