/**
 * Performance tiers of the Accelerate State of DevOps Report 2023 (Google Cloud / DORA), the last
 * report whose cluster table covers all four keys with failed-deployment recovery time under that
 * name. Bounds as transcribed in /work/shared/research/ops-notes.md (B.2): elite on demand, < 1
 * day, 5%, < 1 hour; high daily–weekly, 1 day–1 week, 10%, < 1 day; medium weekly–monthly, 1
 * week–1 month, 15%, 1 day–1 week; low beyond. Where the 2023 clusters overlap (low's frequency
 * and lead time equal medium's) a figure gets the better tier; a change failure rate between two
 * cluster values gets the tier of the next value up (DevLake reads the 2023 table the same way).
 * Rework rate has no tier: the report that introduced it (2024) published no cluster for it.
 */
export const TIER_REPORT = 'Accelerate State of DevOps Report 2023';

export type Tier = 'elite' | 'high' | 'medium' | 'low';

const HOUR = 3600;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;

/** Successful deploys per day: elite on demand (daily or more), high at least weekly, medium at least monthly. */
export function frequencyTier(perDay: number): Tier {
  if (perDay >= 1) return 'elite';
  if (perDay >= 1 / 7) return 'high';
  if (perDay >= 1 / 30) return 'medium';
  return 'low';
}

/** Median lead time in seconds: < 1 day elite, ≤ 1 week high, ≤ 1 month medium. */
export function leadTimeTier(seconds: number): Tier {
  if (seconds < DAY) return 'elite';
  if (seconds <= WEEK) return 'high';
  if (seconds <= MONTH) return 'medium';
  return 'low';
}

/** Change failure ratio (0..1): ≤ 5% elite, ≤ 10% high, ≤ 15% medium. */
export function changeFailureTier(ratio: number): Tier {
  if (ratio <= 0.05) return 'elite';
  if (ratio <= 0.1) return 'high';
  if (ratio <= 0.15) return 'medium';
  return 'low';
}

/** Median failed-deployment recovery time in seconds: < 1 hour elite, < 1 day high, ≤ 1 week medium. */
export function recoveryTier(seconds: number): Tier {
  if (seconds < HOUR) return 'elite';
  if (seconds < DAY) return 'high';
  if (seconds <= WEEK) return 'medium';
  return 'low';
}
