/**
 * Jobs (the migration Job render emits) become Helm hooks. A plain Job cannot be upgraded (its pod
 * template is immutable) and must run again on every release, so a hook recreated each time is the
 * natural fit. Which hook: `pre-install` would run before the chart's ConfigMaps and Secrets exist
 * (Helm loads hooks before ordinary resources; helm/helm#9852), so the Job would fail with
 * CreateContainerConfigError on a fresh install. We use `post-install,pre-upgrade`: on install it
 * runs once everything exists; on upgrade it runs before the new pods, against the previous
 * release's config. docs/decisions/helm-migration-hook.md records the alternatives.
 */
import type { NamedObject } from '@slipway/kube';

export const MIGRATION_HOOK = 'post-install,pre-upgrade';

export const HOOK_ANNOTATIONS: Record<string, string> = {
  'helm.sh/hook': MIGRATION_HOOK,
  'helm.sh/hook-weight': '0',
  // Keep the finished Job (and its logs) until the next release replaces it.
  'helm.sh/hook-delete-policy': 'before-hook-creation',
};

export function isHookKind(object: NamedObject): boolean {
  return object.kind === 'Job' && object.apiVersion === 'batch/v1';
}

export function withHookAnnotations(object: NamedObject): NamedObject {
  if (!isHookKind(object)) return object;
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...HOOK_ANNOTATIONS, ...(object.metadata.annotations ?? {}) },
    },
  };
}
