/**
 * Issue 19: a StatefulSet service (the discord bot keeps SQLite on a volume) is watched and rolled
 * back like a Deployment. Before, the engine waited for Deployments only: a bot whose image could
 * not be pulled was recorded `deployed` in 3 s while its pod sat in ImagePullBackOff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { slipwayCli } from './deploy-helpers.js';

const SPEC = 'examples/discord-bot/slipway.yaml';

interface Pod {
  metadata: { name: string };
  spec: { containers: Array<{ image: string }> };
  status: { containerStatuses?: Array<{ ready: boolean }> };
}

describe('a StatefulSet service: awaited, failed fast and rolled back (sandbox)', () => {
  let env: SandboxEnv;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
  });
  afterAll(() => env?.stop());

  const deploy = (...args: string[]) => slipwayCli(env, ['deploy', '-f', SPEC, '--env', 'dev', ...args]);
  const kubectlJson = async <T>(args: string[]) =>
    JSON.parse((await env.kubectl(['-n', 'bmad-bot', ...args, '-o', 'json'])).stdout) as T;

  let pvcUid = '';
  it('v1 goes out: the StatefulSet is awaited (kubectl rollout status agrees) and its volume bound', async () => {
    const r = await deploy('--set-image', 'bot=ghcr.io/bmad-code-org/bmad-discord-bot:v1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(
      (await env.kubectl(['-n', 'bmad-bot', 'rollout', 'status', 'statefulset/bmad-bot-bot', '--timeout=5s']))
        .stdout,
    ).toContain('roll out complete');
    pvcUid = (await kubectlJson<{ metadata: { uid: string } }>(['get', 'pvc', 'data-bmad-bot-bot-0']))
      .metadata.uid;
    expect(pvcUid).not.toBe('');
  });

  it('an image that cannot be pulled: exit 1 after the third failed pull, the v1 pod serves again, the volume is the same', async () => {
    const r = await deploy('--set-image', 'bot=ghcr.io/bmad-code-org/bmad-discord-bot:broken');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /✗ roll-out .*StatefulSet bmad-bot-bot: a new pod failed more than 2 times: pod bmad-bot-bot-0 container bot: (ErrImagePull|ImagePullBackOff) 3 times/,
    );
    expect(r.stdout).toMatch(/✓ switch .*roll back to revision 1/);
    expect(r.stdout).toContain('rolled-back bmad-bot revision 2 to dev (rolling)');
    // Forced rollback: the pod stuck on the broken revision was replaced, so the rollout completes on v1.
    expect(
      (
        await env.kubectl([
          '-n',
          'bmad-bot',
          'rollout',
          'status',
          'statefulset/bmad-bot-bot',
          '--timeout=30s',
        ])
      ).stdout,
    ).toContain('roll out complete');
    const pod = await kubectlJson<Pod>(['get', 'pod', 'bmad-bot-bot-0']);
    expect(pod.spec.containers[0]?.image).toBe('ghcr.io/bmad-code-org/bmad-discord-bot:v1');
    expect(pod.status.containerStatuses?.every((c) => c.ready)).toBe(true);
    expect(
      (await kubectlJson<{ metadata: { uid: string } }>(['get', 'pvc', 'data-bmad-bot-bot-0'])).metadata.uid,
    ).toBe(pvcUid);
    const history = JSON.parse(
      (await slipwayCli(env, ['history', '-f', SPEC, '--env', 'dev', '--output', 'json'])).stdout,
    ) as { releases: Array<{ revision: number; phase: string }> };
    expect(history.releases.map((x) => [x.revision, x.phase])).toEqual([
      [1, 'deployed'],
      [2, 'rolled-back'],
    ]);
  });

  it('v2 after the failure goes out and is recorded deployed', async () => {
    const r = await deploy('--set-image', 'bot=ghcr.io/bmad-code-org/bmad-discord-bot:v2');
    expect(r.code).toBe(0);
    expect((await kubectlJson<Pod>(['get', 'pod', 'bmad-bot-bot-0'])).spec.containers[0]?.image).toBe(
      'ghcr.io/bmad-code-org/bmad-discord-bot:v2',
    );
  });
});
