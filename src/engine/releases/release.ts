/**
 * A release record: everything Slipway knows about one deploy of one app to one environment, kept
 * in the cluster so history, rollback and the recovery of an interrupted deploy work from any
 * machine (as Helm keeps one record per revision). Plain data, serialised as JSON.
 */
import type { KubeObject } from '@slipway/kube';
import type { ResolvedApp } from '../../spec/resolved.js';

export type ReleasePhase =
  /** Recorded before anything is applied; a pending record found later means a deploy was interrupted. */
  | 'pending'
  | 'deployed'
  /** The deploy failed and its changes were undone; the previous release serves. */
  | 'rolled-back'
  /** The deploy failed and could not be undone cleanly: needs attention (exit code 3). */
  | 'failed'
  | 'aborted'
  /** A later release replaced this deployed one. */
  | 'superseded';

export type Strategy = 'rolling' | 'blue-green' | 'canary';

export interface StepTiming {
  step: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  outcome?: 'ok' | 'failed' | 'skipped';
  detail?: string;
}

export interface Override {
  /** Dotted spec path as given to `--set` (`services.web.env.ERROR_RATE`). */
  path: string;
  value: string;
}

export interface Release {
  app: string;
  environment: string;
  revision: number;
  phase: ReleasePhase;
  strategy: Strategy;
  /** The effective spec this release deployed, overrides applied. */
  spec: ResolvedApp;
  overrides: Override[];
  /** Image per service (`--set-image` and defaults resolved). */
  images: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  steps: StepTiming[];
  /** Why the release failed, was aborted or rolled back. */
  message?: string;
  /** For a rollback release: the revision whose spec it re-deployed. */
  rollbackOf?: number;
  /** Analysis runs as plain data (resolved query, measurements, decision). */
  analysis?: unknown[];
  /** Who deployed (the lock holder identity). */
  deployedBy?: string;
  /**
   * The objects this release rendered and applied (before a blue-green colouring; Secrets as
   * references with a checksum, never their data): what a rollback to it or a revert to it applies
   * again (releases/objects.ts). Absent on records of a Slipway that did not keep them.
   */
  objects?: KubeObject[];
  /** Every object this release applied, so the next one can delete what it no longer renders. */
  inventory?: InventoryEntry[];
  /**
   * What earlier releases applied and this one does not: its clean-up deletes them, and clears this
   * once done. A deployer killed before then leaves it here, and the next deploy deletes them.
   */
  prune?: InventoryEntry[];
  /** Blue-green: the colour each service's active Service selected when this release finished. */
  activeColours?: Record<string, Colour>;
  /** What this release shipped, as CI passed it in (`deploy --commit`, `--changes`, `--hotfix`): for delivery metrics. */
  change?: ChangeRecord;
  /** Set by `slipway secrets rotate`: what it rotated (names only, never a value) on top of which revision. */
  rotation?: RotationRecord;
  /** Restore drills run while this release served (`slipway backup drill`), the last 20. */
  drills?: DrillRecord[];
}

/** A rotation release: the serving revision's objects again, with the readers of the rotated values rolled. */
export interface RotationRecord {
  /** The revision whose objects it re-applied. */
  of: number;
  /** Names from the environment's secrets file given new values. */
  secrets: string[];
  /** Dependencies whose generated password (and login role) changed. */
  dependencies: string[];
  /** The workloads rolled (`Kind/name`). */
  rolled: string[];
  /** The file's data key was replaced too. */
  rekey?: boolean;
}

/** One dependency's restore drill: what was restored, how long it took, how old the backup was. */
export interface DrillRecord {
  dependency: string;
  kind: string;
  /** When the drill started (ISO 8601). */
  at: string;
  /** passed: restored and verified within the targets; missed: verified but over a target; failed: not restored or not verified. */
  result: 'passed' | 'missed' | 'failed';
  backup?: string;
  /** When the restored backup's dump began. */
  backupStarted?: string;
  /** Where it was restored (the scratch namespace). */
  namespace?: string;
  /** Start of the restore → verified. */
  rtoMs?: number;
  /** Age of the backup when the drill started. */
  rpoMs?: number;
  rtoTarget?: string;
  rpoTarget?: string;
  verification?: Array<Record<string, unknown>>;
  message?: string;
}

/** Added after v1 records existed: absent on older records, every field optional. */
export interface ChangeRecord {
  /** The commit the deployed artifact was built from. */
  commit?: string;
  /** The commits shipped since the previous release, each with its commit time (lead time counts from it). */
  commits?: ShippedCommit[];
  /** An unplanned deploy made to fix what the release before it broke (rework). */
  hotfix?: boolean;
}

export interface ShippedCommit {
  sha: string;
  /** ISO 8601 with offset, as `git log --format=%cI` prints it. */
  committedAt: string;
}

export type Colour = 'blue' | 'green';

export interface InventoryEntry {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export function releaseKey(app: string, environment: string): string {
  return `${app}-${environment}`;
}
