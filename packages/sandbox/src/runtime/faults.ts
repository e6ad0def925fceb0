/**
 * Faults a test injects to model a broken release, per pod (annotation) or per image (config):
 * `never-ready`, `crash-after=5s`, `flapping-readiness[=2s]`, `error-rate=0.05`, comma-separated.
 * Unknown entries are reported, not ignored, so a typo cannot make a test pass.
 */
import { tryParseDuration } from '@slipway/kube';

export const FAULT_ANNOTATION = 'sandbox.slipway.dev/fault';
export const DEFAULT_FLAP_MS = 2_000;

export interface Faults {
  neverReady: boolean;
  crashAfterMs?: number;
  flapMs?: number;
  errorRate?: number;
}

/** A Go duration (`500ms`, `1.5s`, `2m`), or a bare number of seconds (`5`); undefined otherwise. */
export function faultDuration(text: string): number | undefined {
  const trimmed = text.trim();
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) * 1000 : tryParseDuration(trimmed);
}

export function parseFaults(...sources: (string | undefined)[]): { faults: Faults; problems: string[] } {
  const faults: Faults = { neverReady: false };
  const problems: string[] = [];
  for (const source of sources) {
    for (const raw of (source ?? '').split(',')) {
      const entry = raw.trim();
      if (!entry) continue;
      const [name, value] = entry.split('=', 2) as [string, string | undefined];
      if (name === 'never-ready' && value === undefined) faults.neverReady = true;
      else if (name === 'crash-after' && value !== undefined && faultDuration(value) !== undefined)
        faults.crashAfterMs = faultDuration(value);
      else if (name === 'flapping-readiness') {
        const ms = value === undefined ? DEFAULT_FLAP_MS : faultDuration(value);
        if (ms === undefined || ms <= 0)
          problems.push(`bad fault "${entry}": expected flapping-readiness[=<duration>]`);
        else faults.flapMs = ms;
      } else if (name === 'error-rate' && value !== undefined && Number(value) >= 0 && Number(value) <= 1)
        faults.errorRate = Number(value);
      else
        problems.push(
          `unknown fault "${entry}": expected never-ready, crash-after=<duration>, flapping-readiness[=<duration>] or error-rate=<0..1>`,
        );
    }
  }
  return { faults, problems };
}
