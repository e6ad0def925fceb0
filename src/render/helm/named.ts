/**
 * The values a Helm user expects to find and set (`--set workloads.api.replicas=3`), whatever
 * the environments have in common: per workload its replicas and, per container, image
 * repository and tag, resources and literal env vars, and per StatefulSet claim its size; per Ingress its hosts; per HTTPRoute its
 * hostnames. Everything else is a value only where environments differ.
 *
 * A pattern is a JSON path with `*` for any list item (matched by item name, or index) and the
 * value path it maps to, where `*` takes the matched segments in order.
 */
import type { ValuePath } from './tree.js';

interface Pattern {
  path: string[];
  value: string[];
  image?: boolean;
}

const POD_SPEC: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

function patternsFor(kind: string, name: string): Pattern[] {
  const patterns: Pattern[] = [];
  const pod = POD_SPEC[kind];
  if (pod) {
    if (kind === 'Deployment' || kind === 'StatefulSet') {
      patterns.push({ path: ['spec', 'replicas'], value: ['workloads', name, 'replicas'] });
    }
    if (kind === 'StatefulSet') {
      patterns.push({
        path: ['spec', 'volumeClaimTemplates', '*', 'spec', 'resources', 'requests', 'storage'],
        value: ['workloads', name, 'storage', '*'],
      });
    }
    for (const list of ['initContainers', 'containers']) {
      const base = ['workloads', name, list, '*'];
      patterns.push({ path: [...pod, list, '*', 'image'], value: [...base, 'image'], image: true });
      patterns.push({ path: [...pod, list, '*', 'resources'], value: [...base, 'resources'] });
      patterns.push({ path: [...pod, list, '*', 'env', '*', 'value'], value: [...base, 'env', '*'] });
    }
  }
  if (kind === 'Ingress') {
    patterns.push({ path: ['spec', 'rules', '*', 'host'], value: ['ingresses', name, 'rules', '*', 'host'] });
    patterns.push({ path: ['spec', 'tls', '*', 'hosts'], value: ['ingresses', name, 'tls', '*', 'hosts'] });
  }
  if (kind === 'HTTPRoute') {
    patterns.push({ path: ['spec', 'hostnames'], value: ['routes', name, 'hostnames'] });
  }
  return patterns;
}

export interface NamedValues {
  named(path: string[]): ValuePath | undefined;
  namedBelow(path: string[]): boolean;
  isImage(path: string[]): boolean;
}

export function namedValues(kind: string, name: string): NamedValues {
  const patterns = patternsFor(kind, name);
  const match = (path: string[]) =>
    patterns.find((p) => p.path.length === path.length && prefixMatches(p.path, path));
  return {
    named(path) {
      const pattern = match(path);
      if (!pattern) return undefined;
      const wild = pattern.path.flatMap((seg, i) => (seg === '*' ? [path[i]!] : []));
      let next = 0;
      return pattern.value.map((seg) => (seg === '*' ? wild[next++]! : seg));
    },
    namedBelow: (path) => patterns.some((p) => p.path.length >= path.length && prefixMatches(p.path, path)),
    isImage: (path) => match(path)?.image === true,
  };
}

function prefixMatches(pattern: string[], path: string[]): boolean {
  return path.every((seg, i) => pattern[i] === '*' || pattern[i] === seg);
}
