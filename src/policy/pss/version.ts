import type { KubeVersion } from '../types.js';

/**
 * The newest Pod Security Standards policy version this checker implements. Upstream's registry resolves
 * `latest` to the highest MinimumVersion of any check; on Kubernetes 1.35 and 1.36 that is v1.35
 * (procMount, procMount_restricted, runAsNonRoot and runAsUser gained 1.35 revisions).
 */
export const PSS_LATEST: KubeVersion = { major: 1, minor: 35 };

/**
 * The oldest policy version evaluated; older requests are clamped up to it. From 1.25 every check of
 * both levels exists (runAsUser 1.23, capabilities_restricted 1.22, the Windows exemptions 1.25), so no
 * version in range needs the registry's partial check sets.
 */
export const PSS_OLDEST: KubeVersion = { major: 1, minor: 25 };

export function atLeast(v: KubeVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

export function clampPss(v: KubeVersion): KubeVersion {
  if (!atLeast(v, PSS_OLDEST.major, PSS_OLDEST.minor)) return PSS_OLDEST;
  if (atLeast(v, PSS_LATEST.major, PSS_LATEST.minor)) return PSS_LATEST;
  return v;
}

export function parseKubeVersion(text: string): KubeVersion | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(text.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

export function formatKubeVersion(v: KubeVersion): string {
  return `${v.major}.${v.minor}`;
}
