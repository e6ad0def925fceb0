/**
 * Blue-green: the new colour's Deployment beside the old one, a preview Service on the new
 * colour, then the active Service's selector moved in one update (Argo Rollouts
 * `rollout/bluegreen.go`; the colour label plays the role of its pod-template-hash selector).
 */
import type { Deploy } from '../../spec/schema.js';
import { SCALE_DOWN_DELAY_SECONDS } from '../defaults.js';
import { durationOr } from '../../spec/duration.js';
import type { Colour } from '../releases/release.js';
import type { BlueGreenPlan, BlueGreenService } from './types.js';
import { selectorOf, type ServiceWorkload } from './workloads.js';

export const LABEL_COLOUR = 'slipway.dev/colour';

export function otherColour(c: Colour | undefined): Colour {
  return c === 'blue' ? 'green' : 'blue';
}

export function planBlueGreen(
  workloads: ServiceWorkload[],
  deploy: Deploy,
  analysisPhases: Record<string, string>,
  activeColours: Record<string, Colour>,
): BlueGreenPlan {
  const services: BlueGreenService[] = [];
  for (const w of workloads) {
    if (!w.deployment || !w.serviceObject) continue;
    const active = activeColours[w.service];
    const next = otherColour(active);
    const name = w.deployment.metadata.name ?? w.service;
    const base = selectorOf(w.serviceObject);
    services.push({
      service: w.service,
      activeColour: active,
      newColour: next,
      newDeployment: `${name}-${next}`,
      oldDeployment: active ? `${name}-${active}` : undefined,
      plainDeployment: name,
      activeService: w.serviceObject.metadata.name ?? name,
      previewService: `${w.serviceObject.metadata.name ?? name}-preview`,
      selectorBefore: active ? { ...base, [LABEL_COLOUR]: active } : undefined,
      selectorAfter: { ...base, [LABEL_COLOUR]: next },
    });
  }
  const named = (phase: string) =>
    Object.keys(analysisPhases)
      .filter((n) => analysisPhases[n] === phase)
      .sort();
  const window = durationOr(deploy.postPromotionWindow, 0) / 1000;
  const delay = durationOr(deploy.scaleDownDelay, SCALE_DOWN_DELAY_SECONDS * 1000) / 1000;
  return {
    services,
    backgroundAnalysis: named('background'),
    prePromotionAnalysis: named('pre-promotion'),
    postPromotionAnalysis: named('post-promotion'),
    postPromotionWindowSeconds: window,
    // The old colour must still be warm for as long as post-promotion analysis can switch back.
    scaleDownDelaySeconds: Math.max(delay, window),
    autoPromote: deploy.autoPromote ?? true,
  };
}
