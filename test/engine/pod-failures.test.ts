/** What counts as a new pod's failure (issue 25: fail fast like werf's failures-allowed-per-replica). */
import { describe, expect, it } from 'vitest';
import { describePodFailure, PodFailureCounter, type Pod } from '../../src/engine/pod-failures.js';

function pod(containers: Array<Record<string, unknown>>, name = 'web-1'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, uid: name },
    status: { containerStatuses: containers as never },
  };
}
const waiting = (reason: string, restartCount = 0, message?: string) => ({
  name: 'web',
  restartCount,
  state: { waiting: { reason, ...(message ? { message } : {}) } },
});

describe('PodFailureCounter', () => {
  it('restarts count one each; the third is past an allowance of two', () => {
    const counter = new PodFailureCounter(2);
    expect(counter.observe(pod([waiting('CrashLoopBackOff', 1)]))).toBeUndefined();
    expect(counter.observe(pod([waiting('CrashLoopBackOff', 2)]))).toBeUndefined();
    expect(counter.observe(pod([waiting('CrashLoopBackOff', 3, 'back-off 4s')]))).toEqual({
      pod: 'web-1',
      container: 'web',
      reason: 'CrashLoopBackOff',
      failures: 3,
      message: 'back-off 4s',
    });
  });

  it('an OOMKilled restart is named as such', () => {
    const counter = new PodFailureCounter(0);
    const f = counter.observe(
      pod([
        {
          name: 'web',
          restartCount: 1,
          state: { running: {} },
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
        },
      ]),
    );
    expect(f?.reason).toBe('OOMKilled');
    expect(describePodFailure(f!)).toBe('pod web-1 container web: OOMKilled 1 times');
  });

  it('failed pulls count each entry into ErrImagePull, not each status update', () => {
    const counter = new PodFailureCounter(2);
    const seq = [
      'ErrImagePull',
      'ErrImagePull',
      'ImagePullBackOff',
      'ErrImagePull',
      'ImagePullBackOff',
      'ImagePullBackOff',
    ];
    expect(seq.map((r) => counter.observe(pod([waiting(r)])))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(counter.observe(pod([waiting('ErrImagePull', 0, 'not found')]))).toMatchObject({
      reason: 'ErrImagePull',
      failures: 3,
    });
  });

  it('errors no retry mends are fatal at once, whatever the allowance', () => {
    for (const reason of ['InvalidImageName', 'CreateContainerConfigError']) {
      const f = new PodFailureCounter(5).observe(pod([waiting(reason, 0, 'secret "db" not found')]));
      expect(f).toMatchObject({ reason });
      expect(describePodFailure(f!)).toBe(`pod web-1 container web: ${reason} (secret "db" not found)`);
    }
  });

  it('pods are counted apart; running and not-ready containers are not failures', () => {
    const counter = new PodFailureCounter(1);
    expect(counter.observe(pod([waiting('ErrImagePull')], 'a'))).toBeUndefined();
    expect(counter.observe(pod([waiting('ErrImagePull')], 'b'))).toBeUndefined();
    expect(
      counter.observe(pod([{ name: 'web', restartCount: 0, ready: false, state: { running: {} } }], 'c')),
    ).toBeUndefined();
    expect(counter.observe(pod([waiting('ContainerCreating')], 'd'))).toBeUndefined();
  });
});
