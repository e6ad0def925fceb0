/**
 * Security contexts that pass the Pod Security Standards "restricted" profile
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted), relaxed only by
 * an explicit `security.relax` entry with a reason.
 */
import type { Service, Volume } from '../../spec/schema.js';
import { ANNOTATION_PREFIX, DEFAULT_GID, DEFAULT_UID } from '../defaults.js';
import { fail, warn, type RenderContext } from '../context.js';

type Relax = NonNullable<NonNullable<Service['security']>['relax']>[number];
export type RelaxRule = Relax['rule'];

export interface PodIdentity {
  runAsUser: number;
  runAsGroup: number;
  fsGroup?: number;
}

function relaxed(service: Service, rule: RelaxRule): Relax | undefined {
  return service.security?.relax?.find((r) => r.rule === rule);
}

/** UID, GID and fsGroup: the spec's, else a volume owner's (so the process owns its files), else the defaults. */
export function podIdentity(ctx: RenderContext, path: string, service: Service): PodIdentity {
  const owners = (service.volumes ?? []).filter(
    (v): v is Volume & { owner: { uid: number; gid: number } } => !!v.owner,
  );
  const gids = [...new Set(owners.map((v) => v.owner.gid))];
  if (gids.length > 1)
    fail(
      ctx,
      `${path}.volumes`,
      `volumes name different owner gids (${gids.join(', ')}); a pod has one fsGroup`,
      'give every volume the same owner.gid',
    );
  const owner = owners[0]?.owner;
  const runAsUser = service.security?.runAsUser ?? (owner && owner.uid > 0 ? owner.uid : DEFAULT_UID);
  const runAsGroup = service.security?.runAsGroup ?? (owner && owner.gid > 0 ? owner.gid : DEFAULT_GID);
  if (owner && service.security?.runAsUser && owner.uid !== service.security.runAsUser) {
    warn(
      ctx,
      `${path}.volumes`,
      `volume owner uid ${owner.uid} differs from security.runAsUser ${service.security.runAsUser}: files get group ${owner.gid} through fsGroup, but their uid cannot be changed without root`,
    );
  }
  const needsFsGroup = (service.volumes?.length ?? 0) > 0 || service.security?.fsGroup !== undefined;
  if (owner && (owner.uid === 0 || owner.gid === 0)) {
    warn(
      ctx,
      `${path}.volumes`,
      'a root-owned volume cannot be honoured by a non-root pod; the volume gets the pod group through fsGroup instead',
    );
  }
  const fsGroup = service.security?.fsGroup ?? (owner && owner.gid > 0 ? owner.gid : runAsGroup);
  return { runAsUser, runAsGroup, fsGroup: needsFsGroup ? fsGroup : undefined };
}

export function podSecurityContext(service: Service, identity: PodIdentity): Record<string, unknown> {
  const nonRoot = !relaxed(service, 'runAsNonRoot');
  return {
    runAsNonRoot: nonRoot ? true : undefined,
    // Relaxing runAsNonRoot without naming a user leaves the image's own USER in charge.
    runAsUser: nonRoot || service.security?.runAsUser ? identity.runAsUser : undefined,
    runAsGroup: nonRoot || service.security?.runAsGroup ? identity.runAsGroup : undefined,
    fsGroup: identity.fsGroup,
    // OnRootMismatch: the kubelet chowns a volume only when its root is wrong, not on every start.
    fsGroupChangePolicy: identity.fsGroup !== undefined ? 'OnRootMismatch' : undefined,
    seccompProfile: { type: relaxed(service, 'seccomp') ? 'Unconfined' : 'RuntimeDefault' },
  };
}

export function containerSecurityContext(service: Service): Record<string, unknown> {
  const caps = relaxed(service, 'capabilities');
  return {
    allowPrivilegeEscalation: relaxed(service, 'allowPrivilegeEscalation') ? true : false,
    readOnlyRootFilesystem: !relaxed(service, 'readOnlyRootFilesystem'),
    runAsNonRoot: relaxed(service, 'runAsNonRoot') ? undefined : true,
    capabilities: { drop: ['ALL'], add: caps?.capabilities?.length ? [...caps.capabilities] : undefined },
  };
}

/** Rules Pod Security "restricted" checks; relaxing readOnlyRootFilesystem stays within the profile. */
const PSS_RULES: ReadonlySet<RelaxRule> = new Set([
  'runAsNonRoot',
  'allowPrivilegeEscalation',
  'capabilities',
  'seccomp',
]);
/** Capabilities "restricted" still allows adding (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
const PSS_ALLOWED_ADD = new Set(['NET_BIND_SERVICE']);

/** Each relaxation becomes an annotation carrying its reason; leaving the PSS profile is also a warning. */
export function relaxAnnotations(ctx: RenderContext, path: string, service: Service): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, r] of (service.security?.relax ?? []).entries()) {
    out[`${ANNOTATION_PREFIX}/relax-${r.rule}`] = r.reason;
    const withinPss =
      r.rule === 'capabilities' && (r.capabilities ?? []).every((c) => PSS_ALLOWED_ADD.has(c));
    if (PSS_RULES.has(r.rule) && !withinPss) {
      warn(
        ctx,
        `${path}.security.relax[${i}]`,
        `relaxing ${r.rule} makes this workload fail Pod Security "restricted"; namespaces enforcing it will reject the pods`,
      );
    }
    if (r.rule !== 'capabilities' && r.capabilities) {
      warn(
        ctx,
        `${path}.security.relax[${i}].capabilities`,
        `capabilities only apply to rule "capabilities"; ignored for rule "${r.rule}"`,
      );
    }
  }
  return out;
}
