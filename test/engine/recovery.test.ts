import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/cluster/cluster.js';
import { AbortRequested } from '../../src/engine/control.js';
import { DeadlineExceeded } from '../../src/engine/deadline.js';
import { classifyFailure, decideRecovery } from '../../src/engine/recovery.js';
import type { Release } from '../../src/engine/releases/release.js';
import { StrategyFailed } from '../../src/engine/strategies/index.js';

const live = () => new AbortController().signal;

describe('recovery: decide, then act', () => {
  it('classifies what Slipway recovers from, and lets everything else surface', () => {
    expect(classifyFailure(new StrategyFailed('error-rate 0.2 > 0.05', []), live(), live())).toMatchObject({
      reason: 'error-rate 0.2 > 0.05',
      phase: 'rolled-back',
    });
    expect(classifyFailure(new DeadlineExceeded('the deploy timeout', 120_000), live(), live())?.reason).toBe(
      'the deploy did not finish within its timeout of 2m (--timeout or deploy.timeout)',
    );
    const aborted = new AbortController();
    aborted.abort(new AbortRequested('ci@host'));
    expect(classifyFailure(aborted.signal.reason, aborted.signal, live())).toMatchObject({
      reason: 'aborted by ci@host',
      phase: 'aborted',
    });
    expect(classifyFailure(new ClusterError(500, 'Other', 'etcd timeout'), live(), live())?.reason).toMatch(
      /^the API server refused a write or read: /,
    );
    // A bug is not recovered from: it reaches the CLI as one.
    expect(classifyFailure(new TypeError('x is undefined'), live(), live())).toBeUndefined();
    // The lock lost: another deployer may be acting, so nothing is put back.
    const lost = new AbortController();
    lost.abort(new Error('lease taken over'));
    expect(classifyFailure(new StrategyFailed('x', []), live(), lost.signal)).toBeUndefined();
  });

  it('reverts to the release before; the first release is recorded failed', () => {
    const failure = { reason: 'r', phase: 'rolled-back' as const, analysis: [] };
    const previous = { revision: 4 } as Release;
    expect(decideRecovery(failure, previous)).toEqual({ action: 'revert', failure, to: previous });
    expect(decideRecovery(failure, undefined)).toEqual({ action: 'record-failed', failure });
  });
});
