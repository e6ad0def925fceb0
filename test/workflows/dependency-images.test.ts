/**
 * Issue 20: dependency images (postgres, redis, kafka, chroma, services with only `image:`) are
 * scanned by ci.yml with the built images' Trivy gate, and a digest the user pins
 * (`version: TAG@sha256:...`) is kept from the spec to the scanned reference.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeWorkflows } from '../../src/render/workflows/index.js';
import { filesOf } from '../../src/render/workflows/languages.js';
import { renderApp } from '../../src/render/index.js';
import { environmentNames, parseSpec, resolveEnvironment } from '../../src/spec/index.js';
import { actionlint, examplesDir } from './helpers.js';
import { renderedInputOfFile } from './rendered.js';

interface CiJob {
  strategy?: { matrix: { image: string[] } };
  steps: { name?: string; run?: string; with?: Record<string, unknown> }[];
}
const ciOf = (files: Map<string, string>) =>
  parse(files.get('.github/workflows/ci.yml')!) as { jobs: Record<string, CiJob> };

const PINNED = `postgres:16.4@sha256:${'ab'.repeat(32)}`;

describe('ci.yml scans the images the app runs but does not build', () => {
  it('api-web-db-redis-kafka: postgres, redis and kafka, not the built api and web; actionlint clean', async () => {
    const out = writeWorkflows(
      renderedInputOfFile(join(examplesDir, 'api-web-db-redis-kafka', 'slipway.yaml')),
      {
        slipwayVersion: '0.1.0',
        files: filesOf([]),
      },
    );
    const job = ciOf(out.files).jobs['dependency-images']!;
    const images = job.strategy!.matrix.image;
    expect(images.some((i) => i.startsWith('postgres:'))).toBe(true);
    expect(images.some((i) => i.startsWith('redis:'))).toBe(true);
    expect(images.some((i) => i.startsWith('apache/kafka:'))).toBe(true);
    expect(images.some((i) => i.includes('storefront-api') || i.includes('storefront-web'))).toBe(false);
    const scan = job.steps.find((s) => s.name?.startsWith('Scan'))!;
    expect(scan.with).toMatchObject({ 'image-ref': '${{ matrix.image }}', 'exit-code': '1' });
    expect(scan.with!.severity).toBe('CRITICAL,HIGH'); // the example's ci.scan.severity
    for (const [path, text] of out.files) expect(await actionlint(text, path), path).toEqual([]);
  });

  it('agentic-rag: the chroma image is scanned', () => {
    const out = writeWorkflows(renderedInputOfFile(join(examplesDir, 'agentic-rag', 'slipway.yaml')), {
      slipwayVersion: '0.1.0',
      files: filesOf([]),
    });
    expect(
      ciOf(out.files).jobs['dependency-images']!.strategy!.matrix.image.some((i) =>
        i.startsWith('chromadb/chroma:'),
      ),
    ).toBe(true);
  });

  it('a digest written in the spec is kept to the scan, and the record step reports it pinned', () => {
    const text = `
app: shop
version: 1.0.0
services:
  api: { image: ghcr.io/acme/api, port: 8080 }
dependencies:
  db: { type: postgres, version: "16.4@sha256:${'ab'.repeat(32)}" }
environments:
  production: {}
`;
    const spec = parseSpec(text, 'slipway.yaml');
    const input = {
      spec,
      environments: environmentNames(spec).map((environment) => {
        const app = resolveEnvironment(spec, environment, 'slipway.yaml');
        return { environment, app, objects: renderApp(app, {}).objects };
      }),
    };
    const job = ciOf(writeWorkflows(input, { slipwayVersion: '0.1.0', files: filesOf([]) }).files).jobs[
      'dependency-images'
    ]!;
    expect(job.strategy!.matrix.image).toEqual(['ghcr.io/acme/api:1.0.0', PINNED]);
    const record = job.steps.find((s) => s.name === 'Record the digest')!;
    const dir = mkdtempSync(join(tmpdir(), 'slipway-dep-'));
    try {
      const summary = join(dir, 'summary');
      writeFileSync(summary, '');
      const out = execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', record.run!], {
        env: { ...process.env, IMAGE: PINNED, GITHUB_STEP_SUMMARY: summary },
        encoding: 'utf8',
      });
      expect(out).not.toContain('::warning');
      expect(readFileSync(summary, 'utf8')).toBe(`- \`${PINNED}\`: pinned by digest\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
