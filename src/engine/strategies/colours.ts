/**
 * Blue-green objects, pure: the rendered Deployment of each service becomes `<name>-<colour>` with
 * the colour label `slipway.dev/colour` on its selector and pod template, the active Service
 * selects the colour that serves, a preview Service `<name>-preview` selects the new colour, and an
 * HPA follows its Deployment. Colour Deployments live side by side because their names differ; the
 * pods of both colours carry the service's base labels, so PodDisruptionBudgets and
 * NetworkPolicies keep covering them. (Argo Rollouts selects by pod-template-hash instead; a named
 * colour survives re-renders and reads well in `kubectl get`.)
 */
import type { KubeObject } from '@slipway/kube';
import { LABEL_COLOUR, otherColour, planBlueGreen } from '../plan/blue-green.js';
import type { BlueGreenPlan, BlueGreenService } from '../plan/types.js';
import { LABEL_NAME } from '../plan/order.js';
import { workloadsOf } from '../plan/workloads.js';
import type { Colour, Release } from '../releases/release.js';
import { releaseObjects } from '../releases/objects.js';

export interface ColouredObjects {
  /** The new colour's Deployments (and HPAs retargeted at them). */
  colourWorkloads: KubeObject[];
  /** Preview Services on the new colour. */
  preview: KubeObject[];
  /** Active Services selecting the new colour: applying one is the switch. */
  active: KubeObject[];
  /** Everything else among workloads and traffic (services without a Service, Ingresses...): applied as rendered. */
  rest: KubeObject[];
}

interface DeploymentShape {
  selector?: { matchLabels?: Record<string, string> };
  template?: { metadata?: { labels?: Record<string, string> } };
}

function colourDeployment(d: KubeObject, s: BlueGreenService): KubeObject {
  const spec = (d.spec ?? {}) as DeploymentShape & Record<string, unknown>;
  const colour = { [LABEL_COLOUR]: s.newColour };
  return {
    ...d,
    metadata: { ...d.metadata, name: s.newDeployment, labels: { ...d.metadata.labels, ...colour } },
    spec: {
      ...spec,
      selector: { ...spec.selector, matchLabels: { ...spec.selector?.matchLabels, ...colour } },
      template: {
        ...spec.template,
        metadata: { ...spec.template?.metadata, labels: { ...spec.template?.metadata?.labels, ...colour } },
      },
    },
  };
}

function withSelector(svc: KubeObject, name: string, selector: Record<string, string>): KubeObject {
  const { clusterIP: _ip, clusterIPs: _ips, ...spec } = (svc.spec ?? {}) as Record<string, unknown>;
  return { ...svc, metadata: { ...svc.metadata, name }, spec: { ...spec, selector } };
}

export function colourObjects(
  workloads: KubeObject[],
  traffic: KubeObject[],
  plan: BlueGreenPlan,
): ColouredObjects {
  const out: ColouredObjects = { colourWorkloads: [], preview: [], active: [], rest: [] };
  const byService = new Map(plan.services.map((s) => [s.service, s]));
  const renamed = new Map<string, string>();
  for (const obj of workloads) {
    const s = byService.get(obj.metadata.labels?.[LABEL_NAME] ?? '');
    if (s && obj.kind === 'Deployment') {
      renamed.set(obj.metadata.name ?? '', s.newDeployment);
      out.colourWorkloads.push(colourDeployment(obj, s));
    }
  }
  for (const obj of workloads) {
    if (obj.kind === 'Deployment' && renamed.has(obj.metadata.name ?? '')) continue;
    const target = (obj.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)
      ?.scaleTargetRef;
    if (
      obj.kind === 'HorizontalPodAutoscaler' &&
      target?.kind === 'Deployment' &&
      renamed.has(target.name ?? '')
    ) {
      out.colourWorkloads.push({
        ...obj,
        spec: {
          ...(obj.spec as object),
          scaleTargetRef: { ...target, name: renamed.get(target.name ?? '') },
        },
      });
    } else out.rest.push(obj);
  }
  for (const obj of traffic) {
    const s =
      obj.kind === 'Service' ? plan.services.find((x) => x.activeService === obj.metadata.name) : undefined;
    if (!s) {
      out.rest.push(obj);
      continue;
    }
    out.active.push(withSelector(obj, s.activeService, s.selectorAfter));
    out.preview.push({
      ...withSelector(obj, s.previewService, s.selectorAfter),
      metadata: {
        ...obj.metadata,
        name: s.previewService,
        labels: { ...obj.metadata.labels, 'slipway.dev/role': 'preview' },
      },
    });
  }
  return out;
}

/**
 * The objects a recorded release serves with: the objects it recorded (releases/objects.ts),
 * coloured as they were when it finished.
 */
export function servedObjects(release: Release): KubeObject[] {
  const { objects } = releaseObjects(release);
  if (release.strategy !== 'blue-green' || !release.activeColours) return objects;
  const services = Object.keys(release.spec.services).sort();
  // planBlueGreen picks the colour opposite the active one as "new": pass the opposite of what served.
  const opposite: Record<string, Colour> = Object.fromEntries(
    Object.entries(release.activeColours).map(([svc, c]) => [svc, otherColour(c)]),
  );
  const plan = planBlueGreen(workloadsOf(objects, services), release.spec.deploy, {}, opposite);
  const workloads = objects.filter((o) => ['Deployment', 'HorizontalPodAutoscaler'].includes(o.kind));
  const traffic = objects.filter((o) => o.kind === 'Service');
  const coloured = colourObjects(workloads, traffic, plan);
  const replaced = new Set([...workloads, ...traffic]);
  return [
    ...objects.filter((o) => !replaced.has(o)),
    ...coloured.colourWorkloads,
    ...coloured.rest,
    ...coloured.preview,
    ...coloured.active,
  ];
}
