/**
 * Faults a test injects to model a broken release, per pod (annotation) or per image (config):
 * `never-ready`, `crash-after=5s`, `flapping-readiness[=2s]`, `error-rate=0.05`, comma-separated.
 * Unknown entries are reported, not ignored, so a typo cannot make a test pass.
 */
export const FAULT_ANNOTATION = 'sandbox.slipway.dev/fault';
export const DEFAULT_FLAP_MS = 2_000;

export interface Faults {
  neverReady: boolean;
  crashAfterMs?: number;
  flapMs?: number;
  errorRate?: number;
}

export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
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
      else if (name === 'crash-after' && value !== undefined && parseDuration(value) !== undefined)
        faults.crashAfterMs = parseDuration(value);
      else if (name === 'flapping-readiness') {
        const ms = value === undefined ? DEFAULT_FLAP_MS : parseDuration(value);
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
