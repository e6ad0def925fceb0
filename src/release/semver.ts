/**
 * Release versions: MAJOR.MINOR.PATCH (https://semver.org). Pre-release and build suffixes are
 * not produced, and tags carrying them are not taken as the last release.
 */
export interface Version {
  major: number;
  minor: number;
  patch: number;
}

export type Bump = 'major' | 'minor' | 'patch';

const VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * The next version. While the major version is 0 (initial development, where semver allows
 * anything to change), a breaking change bumps the minor version, not the major: 0.4.2 -> 0.5.0.
 * Going to 1.0.0 is a decision, made with `slipway release --as 1.0.0`.
 */
export function bumpVersion(v: Version, bump: Bump): Version {
  const effective = v.major === 0 && bump === 'major' ? 'minor' : bump;
  switch (effective) {
    case 'major':
      return { major: v.major + 1, minor: 0, patch: 0 };
    case 'minor':
      return { major: v.major, minor: v.minor + 1, patch: 0 };
    case 'patch':
      return { major: v.major, minor: v.minor, patch: v.patch + 1 };
  }
}

/** The highest release version among tags like v1.2.3; other tags are ignored. */
export function latestTag(tags: string[]): { tag: string; version: Version } | undefined {
  let best: { tag: string; version: Version } | undefined;
  for (const tag of tags) {
    const version = parseVersion(tag);
    if (version && tag.startsWith('v') && (!best || compareVersions(version, best.version) > 0))
      best = { tag, version };
  }
  return best;
}
