/**
 * A store plus runtime for tests: the API server's MemoryStore (the real one, so controllers are
 * tested against the behaviour they meet in production), a fake or real clock, and `settle()`,
 * which waits until no controller, kubelet or store write is pending.
 */
import type { KubeObject } from '@slipway/kube';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../src/store/memory-store.js';
import type { Clock, ObjectStore } from '../src/types.js';
import { ContractStore } from './memory-store.js';
import { startRuntime, type StartedRuntime } from '../src/runtime/index.js';
import { mergeSandboxConfig, type SandboxConfigInput } from '../src/runtime/config.js';

export type HarnessStore = ObjectStore & { resourceVersion(): string; gracefulPodDeletion: boolean };

/** The two ObjectStores controller tests run on: the API server's, and the contract-only double. */
export const STORE_KINDS = ['MemoryStore', 'ContractStore'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

function makeStore(kind: StoreKind, clock: Clock | undefined): HarnessStore {
  return kind === 'MemoryStore'
    ? new MemoryStore({ clock })
    : new ContractStore(clock ? () => clock.now() : undefined);
}

export interface Harness {
  store: HarnessStore;
  runtime: StartedRuntime;
  dataDir: string;
  /** Resolves once nothing changed in the store for a few event-loop turns. */
  settle(): Promise<void>;
  apply(o: KubeObject): KubeObject;
  close(): Promise<void>;
}

const turn = () => new Promise<void>((r) => setImmediate(r));

export function startHarness(
  opts: { clock?: Clock; config?: SandboxConfigInput; store?: StoreKind } = {},
): Harness {
  const store = makeStore(opts.store ?? 'MemoryStore', opts.clock);
  store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-runtime-'));
  const logs: string[] = [];
  const runtime = startRuntime(store, {
    clock: opts.clock,
    dataDir,
    config: mergeSandboxConfig(opts.config),
    log: (l) => logs.push(l),
  });
  return {
    store,
    runtime,
    dataDir,
    async settle() {
      let quiet = 0;
      let last = store.resourceVersion();
      for (let i = 0; i < 10_000 && quiet < 5; i++) {
        await turn();
        const rv = store.resourceVersion();
        quiet = rv === last && runtime.controllers.idle() ? quiet + 1 : 0;
        last = rv;
      }
    },
    apply(o) {
      const type = store.typeFor(o.apiVersion, o.kind);
      if (!type) throw new Error(`unknown kind ${o.kind}`);
      const current = store.get(type, o.metadata.namespace ?? 'default', o.metadata.name as string);
      if (!current) return store.create(o);
      return store.update({
        ...o,
        metadata: { ...current.metadata, ...o.metadata, resourceVersion: current.metadata.resourceVersion },
      });
    },
    async close() {
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (logs.length && process.env.SANDBOX_TEST_LOGS) console.log(logs.join('\n'));
    },
  };
}

/** Polls `check` on the real clock until it returns a value, or fails after `ms`. */
export async function until<T>(what: string, check: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
