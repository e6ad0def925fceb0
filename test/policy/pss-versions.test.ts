import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../src/policy/load/parse.js';
import { evaluatePss } from '../../src/policy/pss/evaluate.js';
import { workloadOf } from '../../src/policy/workloads.js';

/** Version-specific decisions the upstream registry encodes (policy versions, not cluster versions). */
function pod(spec: string) {
  const m = parseManifests(`apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${spec}`, 'p.yaml')
    .manifests[0];
  const w = m && workloadOf(m);
  if (!w) throw new Error('bad pod');
  return w;
}
const v = (minor: number) => ({ major: 1, minor });
const restrictedBase = `  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n`;
const safeContainer = `  - name: a\n    image: x:1\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n`;

describe('PSS policy versions', () => {
  it('allows net.ipv4.tcp_rmem from 1.32, not before', () => {
    const w = pod(
      `  securityContext: {sysctls: [{name: net.ipv4.tcp_rmem, value: "1 2 3"}]}\n  containers:\n  - {name: a, image: x}\n`,
    );
    expect(evaluatePss(w, 'baseline', v(31)).allowed).toBe(false);
    expect(evaluatePss(w, 'baseline', v(32)).allowed).toBe(true);
  });
  it('forbids probe hosts from 1.34 only', () => {
    const w = pod(
      `  containers:\n  - name: a\n    image: x\n    livenessProbe: {httpGet: {host: evil, port: 80}}\n`,
    );
    expect(evaluatePss(w, 'baseline', v(33)).allowed).toBe(true);
    expect(evaluatePss(w, 'baseline', v(34)).allowed).toBe(false);
  });
  it('allows container_engine_t from 1.31', () => {
    const w = pod(
      `  securityContext: {seLinuxOptions: {type: container_engine_t}}\n  containers:\n  - {name: a, image: x}\n`,
    );
    expect(evaluatePss(w, 'baseline', v(30)).allowed).toBe(false);
    expect(evaluatePss(w, 'baseline', v(31)).allowed).toBe(true);
  });
  it('relaxes Baseline procMount for hostUsers: false from 1.35, never Restricted', () => {
    const w = pod(
      `  hostUsers: false\n${restrictedBase}  containers:\n  - name: a\n    image: x\n    securityContext: {procMount: Unmasked, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n`,
    );
    expect(evaluatePss(w, 'baseline', v(34)).allowed).toBe(false);
    expect(evaluatePss(w, 'baseline', v(35)).allowed).toBe(true);
    expect(evaluatePss(w, 'restricted', v(35)).allowed).toBe(false);
  });
  it('skips runAsNonRoot/runAsUser for hostUsers: false from 1.35', () => {
    const w = pod(
      `  hostUsers: false\n  securityContext: {runAsUser: 0, seccompProfile: {type: RuntimeDefault}}\n  containers:\n${safeContainer}`,
    );
    expect(evaluatePss(w, 'restricted', v(34)).allowed).toBe(false);
    expect(evaluatePss(w, 'restricted', v(35)).allowed).toBe(true);
  });
  it('exempts Windows pods from seccomp, capabilities and privilege escalation (policy 1.25+, the oldest evaluated)', () => {
    const w = pod(
      `  os: {name: windows}\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - {name: a, image: x}\n`,
    );
    expect(evaluatePss(w, 'restricted', v(25)).allowed).toBe(true);
    const linux = pod(
      `  os: {name: linux}\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - {name: a, image: x}\n`,
    );
    expect(evaluatePss(linux, 'restricted', v(25)).allowed).toBe(false);
  });
  it('inherits pod-level runAsNonRoot and seccompProfile, but a container may not override them badly', () => {
    const ok = pod(`${restrictedBase}  containers:\n${safeContainer}`);
    expect(evaluatePss(ok, 'restricted', v(35)).allowed).toBe(true);
    const bad = pod(
      `${restrictedBase}  containers:\n  - name: a\n    image: x\n    securityContext: {runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n`,
    );
    expect(evaluatePss(bad, 'restricted', v(35)).violations.map((x) => x.check.id)).toEqual(['runAsNonRoot']);
  });
  it('treats a volume without a source as emptyDir (API defaulting)', () => {
    const w = pod(`${restrictedBase}  volumes: [{name: scratch}]\n  containers:\n${safeContainer}`);
    expect(evaluatePss(w, 'restricted', v(35)).allowed).toBe(true);
  });
});
