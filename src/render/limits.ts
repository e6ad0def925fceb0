/**
 * Limits the API server enforces on what render composes from spec names, checked before output so
 * a long app or service name fails here with the field to shorten, not at apply time.
 * (apimachinery validation: DNS-1123 subdomain names, DNS-1035 labels for Services, label values.)
 */
import type { NamedObject } from '@slipway/kube';
import type { Problem } from '../errors.js';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function labelProblems(
  o: NamedObject,
  labels: Record<string, string> | undefined,
  where: string,
  problems: Problem[],
): void {
  // A loop rather than entries/filter/map: this runs over every label of every object rendered.
  for (const k in labels) {
    const v = labels[k]!;
    if (v.length <= 63 && LABEL_VALUE.test(v)) continue;
    problems.push({
      path: 'app',
      message: `${o.kind} ${o.metadata.name}: ${where} label ${k}=${v} is not a valid label value (at most 63 characters)`,
      hint: 'shorten the app, service or dependency name',
    });
  }
}

export function limitProblems(objects: NamedObject[]): Problem[] {
  const problems: Problem[] = [];
  for (const o of objects) {
    const max = o.kind === 'Service' ? 63 : 253;
    if (o.metadata.name.length > max) {
      problems.push({
        path: 'app',
        message: `${o.kind} name ${o.metadata.name} is longer than ${max} characters`,
        hint: 'shorten the app, service or dependency name',
      });
    }
    labelProblems(o, o.metadata.labels, 'a', problems);
    const template = (o.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)
      ?.template;
    labelProblems(o, template?.metadata?.labels, 'a pod', problems);
  }
  return problems;
}
