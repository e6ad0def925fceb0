/**
 * The 422 checks that most often separate a manifest a real cluster refuses from one a permissive
 * fake accepts, after pkg/apis/{apps,core,batch}/validation: workload selectors (required, matching
 * the template's labels, immutable in apps/v1), containers with a name and an image, Service ports,
 * and the immutable Job template. Messages and causes follow field.ErrorList's format.
 */
import { selectorFromLabelSelector, SelectorError, type KubeObject, type LabelSelector } from '@slipway/kube';
import { isDeepStrictEqual } from 'node:util';
import { StoreError } from '../types.js';
import type { ServedResource } from './registry.js';

type Obj = Record<string, unknown>;
interface Problem {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueDuplicate';
  field: string;
  message: string;
}

const WORKLOADS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);
const required = (field: string): Problem => ({
  type: 'FieldValueRequired',
  field,
  message: 'Required value',
});
const invalid = (field: string, value: unknown, why: string): Problem => ({
  type: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
});

function obj(v: unknown): Obj | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function podSpecProblems(spec: Obj | undefined, path: string): Problem[] {
  const containers = spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) return [required(`${path}.containers`)];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  containers.forEach((c: Obj, i) => {
    if (!c.name) problems.push(required(`${path}.containers[${i}].name`));
    else if (seen.has(String(c.name)))
      problems.push({
        type: 'FieldValueDuplicate',
        field: `${path}.containers[${i}].name`,
        message: `Duplicate value: ${JSON.stringify(c.name)}`,
      });
    else seen.add(String(c.name));
    if (!c.image) problems.push(required(`${path}.containers[${i}].image`));
  });
  return problems;
}

function workloadProblems(o: KubeObject, previous: KubeObject | undefined): Problem[] {
  const spec = obj(o.spec) ?? {};
  const problems: Problem[] = [];
  const selector = obj(spec.selector);
  const template = obj(spec.template);
  const labels = (obj(obj(template?.metadata)?.labels) ?? {}) as Record<string, string>;
  if (!selector || (!obj(selector.matchLabels) && !Array.isArray(selector.matchExpressions)))
    problems.push(required('spec.selector'));
  else {
    try {
      if (!selectorFromLabelSelector(selector as LabelSelector).matches(labels))
        problems.push(
          invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'),
        );
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      problems.push(invalid('spec.selector', selector, e.message));
    }
  }
  if (typeof spec.replicas === 'number' && spec.replicas < 0)
    problems.push(invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  problems.push(...podSpecProblems(obj(template?.spec), 'spec.template.spec'));
  const before = obj(previous?.spec)?.selector;
  if (previous && selector && !isDeepStrictEqual(before, spec.selector))
    problems.push(invalid('spec.selector', selector, 'field is immutable'));
  return problems;
}

function serviceProblems(o: KubeObject): Problem[] {
  const spec = obj(o.spec) ?? {};
  const ports = (spec.ports as Obj[] | undefined) ?? [];
  const problems: Problem[] = [];
  if (!ports.length && spec.type !== 'ExternalName' && spec.clusterIP !== 'None')
    problems.push(required('spec.ports'));
  ports.forEach((p, i) => {
    const port = p.port;
    if (typeof port !== 'number' || port < 1 || port > 65535)
      problems.push(invalid(`spec.ports[${i}].port`, port, 'must be between 1 and 65535, inclusive'));
    if (ports.length > 1 && !p.name) problems.push(required(`spec.ports[${i}].name`));
  });
  return problems;
}

/** Throws 422 Invalid listing every problem, or returns when the object passes. */
export function validateObject(type: ServedResource, o: KubeObject, previous: KubeObject | undefined): void {
  let problems: Problem[] = [];
  if (WORKLOADS.has(o.kind)) problems = workloadProblems(o, previous);
  else if (o.kind === 'Pod') problems = podSpecProblems(obj(o.spec), 'spec');
  else if (o.kind === 'Service') problems = serviceProblems(o);
  else if (o.kind === 'Job') {
    problems = podSpecProblems(obj(obj(obj(o.spec)?.template)?.spec), 'spec.template.spec');
    if (previous && !isDeepStrictEqual(obj(previous.spec)?.template, obj(o.spec)?.template))
      problems.push(invalid('spec.template', '…', 'field is immutable'));
  }
  if (!problems.length) return;
  const what = `${o.kind}${type.group ? `.${type.group}` : ''} "${o.metadata.name}"`;
  const list = problems.map((p) => `${p.field}: ${p.message}`);
  throw new StoreError(
    422,
    'Invalid',
    `${what} is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`,
    {
      name: o.metadata.name,
      group: type.group,
      kind: o.kind,
      causes: problems.map((p) => ({ reason: p.type, message: p.message, field: p.field })),
    },
  );
}
