import type { KubeObject } from '@slipway/kube';
import { isClusterError, type Cluster } from '../cluster/cluster.js';
import { UserErrors, type Problem } from '../errors.js';
import { FIELD_MANAGER } from './defaults.js';

/**
 * Admission pre-flight: when the cluster has ValidatingAdmissionPolicy bindings, every object is
 * applied with dryRun=All first, so that a refusal (`slipway policy export`'s policies, or any other)
 * stops the deploy as a plan failure naming the object and the rule, before any of the app's objects
 * is written. Without bindings (or on a cluster that cannot say) nothing is sent. Other dry-run
 * failures are left to the apply itself, which reports them and puts the previous release back.
 */
const BINDING = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding' };
const DENIAL = /ValidatingAdmissionPolicy '([^']+)' with binding '([^']+)' denied request: (.*)$/s;

/** How many admission policy bindings the cluster has (0 when it cannot say: the pre-flight is skipped). */
export async function admissionBindings(cluster: Cluster): Promise<number> {
  if (!cluster.serves || !(await cluster.serves(BINDING.apiVersion, BINDING.kind).catch(() => false)))
    return 0;
  return cluster.list(BINDING).then(
    (r) => r.items.length,
    () => 0,
  );
}

export async function admissionPreflight(cluster: Cluster, objects: KubeObject[]): Promise<void> {
  const problems: Problem[] = [];
  for (const o of objects) {
    try {
      await cluster.apply([o], { fieldManager: FIELD_MANAGER, dryRun: true, force: true });
    } catch (err) {
      const denial = isClusterError(err) ? DENIAL.exec(err.message) : null;
      if (denial) problems.push(refusal(o, denial[1]!, denial[3]!));
    }
  }
  if (problems.length) throw new UserErrors(problems, 'deploy-admission-refused');
}

function refusal(o: KubeObject, policy: string, message: string): Problem {
  // Policies written by `slipway policy export` are named slipway-<rule> and their messages start with the rule.
  const rule = /^([a-z0-9-]+): /.exec(message)?.[1] ?? policy;
  return {
    message: `${o.kind} ${o.metadata.name ?? '?'}: refused by the cluster's admission policy ${policy} [${rule}]: ${message.replace(/^[a-z0-9-]+: /, '')}`,
    hint: 'nothing was applied; fix the object (slipway check runs the same rules) or the policy, then deploy again',
  };
}
