/**
 * A flaky API server on demand (`api.faults` in the sandbox config, docs/sandbox.md): a share of
 * requests answered 500 or 429 (with `Retry-After`) per verb, watch streams cut every so often,
 * watch resumes answered 410 Gone, and added latency. Injected before the request is handled, so a
 * faulted write is never applied (the "request not processed" case). Decisions come from a seeded
 * generator: with `seed` set, the same sequence of requests meets the same faults.
 */
import { randomInt } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { faultDuration } from '../runtime/faults.js';

/** The Kubernetes verbs (the RBAC names) a request can be. */
export const API_VERBS = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
] as const;
export type ApiVerb = (typeof API_VERBS)[number];

/** One value for every verb, or a value per verb (`{ create: 0.1, patch: 0.05 }`; unnamed: 0). */
function perVerb<T extends z.ZodType>(value: T, what: string) {
  const verbs = Object.fromEntries(API_VERBS.map((v) => [v, value.optional()])) as Record<
    ApiVerb,
    z.ZodOptional<T>
  >;
  return z.union([value, z.strictObject(verbs)], {
    error: `expected ${what}, or a map from verbs (${API_VERBS.join(', ')}) to ${what}`,
  });
}

const share = z.number().min(0).max(1);
const verbShares = perVerb(share, 'a share from 0 to 1');
const duration = z.union([z.number().min(0), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : faultDuration(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration like 20ms, 1s or 2m, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return ms;
});

export const apiFaultsSchema = z.strictObject({
  /** Makes the fault decisions repeatable; absent: a random seed per start. */
  seed: z.number().int().optional(),
  status500: verbShares.default(0),
  status429: verbShares.default(0),
  /** The `Retry-After` sent with each 429, whole seconds (rounded up). */
  retryAfter: duration.default(1000),
  /** Every this long, every open watch stream is cut (the connection reset mid-stream). */
  dropWatchesEvery: duration.optional(),
  /** The share of watches resumed from a resourceVersion that get 410 Gone (Expired). */
  goneOnResume: share.default(0),
  /** Added before every API request (or each one of the verbs named) is handled. */
  latency: perVerb(duration, 'a duration like 20ms or 1s').default(0),
});

export type ApiFaults = z.output<typeof apiFaultsSchema>;
export type ApiFaultsInput = z.input<typeof apiFaultsSchema>;
type VerbShares = z.output<typeof verbShares>;

function forVerb(values: VerbShares, verb: ApiVerb): number {
  return typeof values === 'number' ? values : (values[verb] ?? 0);
}

/** mulberry32: a tiny seeded generator, plenty for fault decisions. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FaultDecision = { kind: 'none' } | { kind: 'status'; code: 500 | 429 } | { kind: 'gone' };

export class FaultInjector {
  private readonly random: () => number;
  private readonly watches = new Set<ServerResponse>();
  private readonly dropTimer: NodeJS.Timeout | undefined;
  /** What was injected so far, for tests and `bench/chaos-faults.ts`. */
  readonly counts = { status500: 0, status429: 0, gone: 0, droppedWatches: 0 };

  constructor(readonly faults: ApiFaults) {
    this.random = seededRandom(faults.seed ?? randomInt(2 ** 31));
    if (faults.dropWatchesEvery) {
      this.dropTimer = setInterval(() => this.dropWatches(), faults.dropWatchesEvery);
      this.dropTimer.unref();
    }
  }

  latencyMs(verb: ApiVerb): number {
    return forVerb(this.faults.latency, verb);
  }

  get retryAfterSeconds(): number {
    return Math.ceil(this.faults.retryAfter / 1000);
  }

  /** One draw per fault kind per request, in a fixed order, so a seed replays the same faults. */
  decide(verb: ApiVerb, resuming: boolean): FaultDecision {
    const r500 = this.random();
    const r429 = this.random();
    if (r500 < forVerb(this.faults.status500, verb)) {
      this.counts.status500++;
      return { kind: 'status', code: 500 };
    }
    if (r429 < forVerb(this.faults.status429, verb)) {
      this.counts.status429++;
      return { kind: 'status', code: 429 };
    }
    if (verb === 'watch' && resuming && this.random() < this.faults.goneOnResume) {
      this.counts.gone++;
      return { kind: 'gone' };
    }
    return { kind: 'none' };
  }

  /** Watch streams open now (past their latency and faults). */
  get openWatches(): number {
    return this.watches.size;
  }

  /** Tracks an open watch stream so the drop timer can cut it. */
  track(res: ServerResponse): void {
    this.watches.add(res);
    res.once('close', () => this.watches.delete(res));
  }

  dropWatches(): void {
    for (const res of this.watches) {
      this.counts.droppedWatches++;
      // Destroying the socket (not ending the chunked body) is what a dropped connection looks like.
      res.socket?.destroy();
    }
    this.watches.clear();
  }

  stop(): void {
    if (this.dropTimer) clearInterval(this.dropTimer);
  }
}
