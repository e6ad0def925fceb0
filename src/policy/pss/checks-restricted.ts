import { arr, get, isObj, str } from '../access.js';
import type { Path } from '../types.js';
import { containersOf, type Workload } from '../workloads.js';
import { procMountHits, type PssCheck, type PssHit } from './checks-baseline.js';
import { atLeast } from './version.js';

/**
 * Pod Security Standards, Restricted level (everything in Baseline, minus the checks these override,
 * plus these), decided as kubernetes/pod-security-admission does at policy version 1.35.
 * `fix` says what `--fix` may set: only values the standard itself prescribes.
 */
const isWindows = (w: Workload) => get(w.podSpec, 'os', 'name') === 'windows';
const userNamespaced = (w: Workload) => w.podSpec.hostUsers === false;
const podSc = (w: Workload): Path => [...w.podSpecPath, 'securityContext'];

/** check_restrictedVolumes.go: the nine volume sources Restricted allows. */
const ALLOWED_VOLUME_SOURCES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

export const restrictedVolumes: PssCheck = {
  id: 'restrictedVolumes',
  level: 'restricted',
  overrides: 'hostPathVolumes',
  run: (w) =>
    arr(w.podSpec.volumes).flatMap((v, i): PssHit[] => {
      if (!isObj(v)) return [];
      const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== null && v[k] !== undefined);
      // A volume without a source is defaulted to emptyDir by the API server (SetDefaults_Volume).
      if (sources.length === 0 || sources.some((s) => ALLOWED_VOLUME_SOURCES.has(s))) return [];
      const source = sources[0] as string;
      return [
        {
          path: [...w.podSpecPath, 'volumes', i, source],
          message: `volume "${str(v.name) ?? i}" uses restricted volume type ${source}`,
        },
      ];
    }),
};

export const allowPrivilegeEscalation: PssCheck = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  run: (w, version) => {
    if (atLeast(version, 1, 25) && isWindows(w)) return [];
    return containersOf(w)
      .filter((c) => get(c.container, 'securityContext', 'allowPrivilegeEscalation') !== false)
      .map((c) => {
        const path = [...c.path, 'securityContext', 'allowPrivilegeEscalation'];
        return {
          path,
          container: c.name,
          message: `container "${c.name}" must set securityContext.allowPrivilegeEscalation=false`,
          fix: [{ path, value: false }],
        };
      });
  },
};

export const runAsNonRoot: PssCheck = {
  id: 'runAsNonRoot',
  level: 'restricted',
  run: (w, version) => {
    // Policy 1.35 skips the check for user-namespaced pods (KEP-127): root in the pod is not root on the node.
    if (atLeast(version, 1, 35) && userNamespaced(w)) return [];
    const hits: PssHit[] = [];
    const podValue = get(w.podSpec, 'securityContext', 'runAsNonRoot');
    const podOk = podValue === true;
    if (podValue === false)
      hits.push({
        path: [...podSc(w), 'runAsNonRoot'],
        message: 'pod must not set securityContext.runAsNonRoot=false',
      });
    const implicit: string[] = [];
    for (const c of containersOf(w)) {
      const v = get(c.container, 'securityContext', 'runAsNonRoot');
      if (v === false)
        hits.push({
          path: [...c.path, 'securityContext', 'runAsNonRoot'],
          container: c.name,
          message: `container "${c.name}" must not set securityContext.runAsNonRoot=false`,
        });
      else if ((v === undefined || v === null) && !podOk) implicit.push(c.name);
    }
    if (implicit.length > 0) {
      const path = [...podSc(w), 'runAsNonRoot'];
      hits.push({
        path,
        message: `pod or ${implicit.length === 1 ? 'container' : 'containers'} ${implicit.map((n) => `"${n}"`).join(', ')} must set securityContext.runAsNonRoot=true`,
        fix: podValue === undefined || podValue === null ? [{ path, value: true }] : undefined,
      });
    }
    return hits;
  },
};

export const runAsUser: PssCheck = {
  id: 'runAsUser',
  level: 'restricted',
  run: (w, version) => {
    if (atLeast(version, 1, 35) && userNamespaced(w)) return [];
    const hits: PssHit[] = [];
    if (get(w.podSpec, 'securityContext', 'runAsUser') === 0)
      hits.push({ path: [...podSc(w), 'runAsUser'], message: 'pod must not set runAsUser=0' });
    for (const c of containersOf(w)) {
      if (get(c.container, 'securityContext', 'runAsUser') === 0) {
        hits.push({
          path: [...c.path, 'securityContext', 'runAsUser'],
          container: c.name,
          message: `container "${c.name}" must not set runAsUser=0`,
        });
      }
    }
    return hits;
  },
};

const seccompOk = (type: unknown) => type === 'RuntimeDefault' || type === 'Localhost';

export const seccompProfileRestricted: PssCheck = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  overrides: 'seccompProfile_baseline',
  run: (w, version) => {
    if (atLeast(version, 1, 25) && isWindows(w)) return [];
    const hits: PssHit[] = [];
    const podProfile = get(w.podSpec, 'securityContext', 'seccompProfile');
    const podSet = podProfile !== undefined && podProfile !== null;
    const podOk = podSet && seccompOk(get(podProfile, 'type'));
    if (podSet && !podOk)
      hits.push({
        path: [...podSc(w), 'seccompProfile', 'type'],
        message: `pod must not set seccompProfile type ${String(get(podProfile, 'type'))}`,
      });
    const implicit: string[] = [];
    for (const c of containersOf(w)) {
      const p = get(c.container, 'securityContext', 'seccompProfile');
      if (p !== undefined && p !== null) {
        if (!seccompOk(get(p, 'type')))
          hits.push({
            path: [...c.path, 'securityContext', 'seccompProfile', 'type'],
            container: c.name,
            message: `container "${c.name}" must not set seccompProfile type ${String(get(p, 'type'))}`,
          });
      } else if (!podOk) implicit.push(c.name);
    }
    if (implicit.length > 0) {
      const path = [...podSc(w), 'seccompProfile'];
      hits.push({
        path,
        message: `pod or ${implicit.length === 1 ? 'container' : 'containers'} ${implicit.map((n) => `"${n}"`).join(', ')} must set securityContext.seccompProfile.type to RuntimeDefault or Localhost`,
        fix: podSet ? undefined : [{ path, value: { type: 'RuntimeDefault' } }],
      });
    }
    return hits;
  },
};

export const capabilitiesRestricted: PssCheck = {
  id: 'capabilities_restricted',
  level: 'restricted',
  overrides: 'capabilities_baseline',
  run: (w, version) => {
    if (atLeast(version, 1, 25) && isWindows(w)) return [];
    const hits: PssHit[] = [];
    for (const c of containersOf(w)) {
      const caps = get(c.container, 'securityContext', 'capabilities');
      const drop = arr(get(caps, 'drop'));
      if (!drop.includes('ALL')) {
        const path = [...c.path, 'securityContext', 'capabilities', 'drop'];
        hits.push({
          path,
          container: c.name,
          message: `container "${c.name}" must set securityContext.capabilities.drop=["ALL"]`,
          fix: [{ path, value: [...drop, 'ALL'] }],
        });
      }
      arr(get(caps, 'add')).forEach((cap, i) => {
        if (cap !== 'NET_BIND_SERVICE') {
          hits.push({
            path: [...c.path, 'securityContext', 'capabilities', 'add', i],
            container: c.name,
            message: `container "${c.name}" must not add capability ${String(cap)} (only NET_BIND_SERVICE)`,
          });
        }
      });
    }
    return hits;
  },
};

/** Policy 1.35: Restricted allows only the Default procMount, user namespace or not. */
export const procMountRestricted: PssCheck = {
  id: 'procMount_restricted',
  level: 'restricted',
  overrides: 'procMount',
  run: (w) => procMountHits(w),
};

export const RESTRICTED_CHECKS: PssCheck[] = [
  restrictedVolumes,
  allowPrivilegeEscalation,
  runAsNonRoot,
  runAsUser,
  seccompProfileRestricted,
  capabilitiesRestricted,
  procMountRestricted,
];
