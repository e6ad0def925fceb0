/**
 * `slipway status` and `slipway deploy` against clusters that cannot be used (all on loopback,
 * test/helpers/broken-clusters.ts): exit 3 with a message naming the context, the server and what
 * failed, and a hint; never a stack trace. How long each takes is printed by
 * bench/broken-cluster.ts.
 */
import { delimiter } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { BROKEN_CASES, startBrokenCluster, type BrokenCluster } from '../helpers/broken-clusters.js';

const SPEC = 'examples/sample-service/slipway.yaml';

describe.each(BROKEN_CASES)('a broken cluster (%s)', (kind) => {
  let broken: BrokenCluster;
  beforeAll(async () => {
    broken = await startBrokenCluster(kind);
  });
  afterAll(() => broken?.stop());

  it.each([['status'], ['deploy', '--skip-analysis']])(
    'slipway %s exits 3 naming the context, the server and the failure',
    async (...command) => {
      const io = memoryIo({ env: {}, lookup: broken.lookup });
      const code = await main(
        ['node', 'slipway', ...command, '--env', 'dev', '-f', SPEC, '--kubeconfig', broken.kubeconfig],
        io.io,
      );
      const stderr = io.stderr();
      expect(stderr).toContain(`context "${broken.context}"`);
      expect(stderr).toContain(broken.server);
      expect(stderr).toMatch(broken.failure);
      expect(stderr).toContain('hint: ');
      expect(stderr).not.toContain('internal error');
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(code).toBe(3);
      if (broken.lookups) expect(broken.lookups()).toBeGreaterThan(0);
    },
  );
});

describe('cluster flags as kubectl and helm users write them', () => {
  it('--kube-context picks a context from $KUBECONFIG listing several files (the refused cluster: fast)', async () => {
    const broken = await startBrokenCluster('refused');
    try {
      const io = memoryIo({
        env: { KUBECONFIG: ['/nonexistent/kubeconfig', broken.kubeconfig].join(delimiter) },
      });
      const code = await main(
        ['node', 'slipway', 'status', '--env', 'dev', '-f', SPEC, '--kube-context', broken.context],
        io.io,
      );
      expect(io.stderr()).toContain(`context "${broken.context}" (${broken.server})`);
      expect(code).toBe(3);
      const other = memoryIo({ env: { KUBECONFIG: broken.kubeconfig } });
      expect(
        await main(
          ['node', 'slipway', 'status', '--env', 'dev', '-f', SPEC, '--kube-context', 'nope', '-n', 'x'],
          other.io,
        ),
      ).toBe(2);
      expect(other.stderr()).toContain('kubeconfig has no context "nope"');
    } finally {
      await broken.stop();
    }
  });
});
