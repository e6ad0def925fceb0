/**
 * Where release records live, behind one small interface with several drivers, as Helm's
 * `pkg/storage/driver.Driver` (Secrets, ConfigMaps, memory, SQL). The engine only knows this
 * interface; `secrets.ts` keeps records in the cluster, `memory.ts` in a Map for unit tests, and
 * both pass test/engine/releases/contract.ts.
 */
import type { Release } from './release.js';

export interface ReleaseStore {
  /** Records a new revision; fails with a UserError if that revision already exists (a concurrent deploy). */
  create(release: Release): Promise<void>;
  /** Rewrites an existing revision (phase, steps, analysis). */
  update(release: Release): Promise<void>;
  get(app: string, environment: string, revision: number): Promise<Release | undefined>;
  /** Every revision, oldest first. */
  list(app: string, environment: string): Promise<Release[]>;
  /** The highest revision, whatever its phase. */
  latest(app: string, environment: string): Promise<Release | undefined>;
  /** The highest revision in phase `deployed`: what is serving. */
  deployed(app: string, environment: string): Promise<Release | undefined>;
}

export function highest(releases: Release[], phase?: Release['phase']): Release | undefined {
  return releases
    .filter((r) => phase === undefined || r.phase === phase)
    .sort((a, b) => b.revision - a.revision)[0];
}
