/**
 * Optional persistence to `--data-dir`: the whole store as one JSON file, written (atomically, via
 * rename) shortly after changes settle, and read back at start. Watches from before a restart get
 * 410 Gone, as after an etcd compaction.
 */
import type { KubeObject } from '@slipway/kube';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxError } from '../errors.js';
import type { MemoryStore } from './memory-store.js';

export const STATE_FILE = 'objects.json';
export const SAVE_DELAY_MS = 200;

interface SavedState {
  resourceVersion: number;
  objects: KubeObject[];
}

export function loadState(store: MemoryStore, dataDir: string): boolean {
  const file = join(dataDir, STATE_FILE);
  if (!existsSync(file)) return false;
  let state: SavedState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
    if (!Array.isArray(state.objects) || typeof state.resourceVersion !== 'number')
      throw new Error('not a saved sandbox state');
  } catch (e) {
    throw new SandboxError(`cannot restore the sandbox from ${file}: ${(e as Error).message}`, {
      code: 'sandbox.data-dir-unreadable',
      hint: 'move the file away to start empty, or point --data-dir at another directory',
    });
  }
  store.restore(state.objects, state.resourceVersion);
  return true;
}

export function saveState(store: MemoryStore, dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, STATE_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(store.snapshot()));
  renameSync(`${file}.tmp`, file);
}

/** Saves after each burst of changes; returns a function that flushes and stops. */
export function persistTo(store: MemoryStore, dataDir: string): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  store.onChange(() => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      saveState(store, dataDir);
    }, SAVE_DELAY_MS);
  });
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    saveState(store, dataDir);
  };
}
