export { execGit, type Commit, type Git } from './git.js';
export {
  planRelease,
  performRelease,
  FIRST_VERSION,
  type ReleaseContext,
  type ReleasePlan,
  type Workspace,
} from './release.js';
export { parseCommit, releaseBump, bumpOf, type ParsedCommit } from './conventional.js';
export { bumpVersion, parseVersion, formatVersion, latestTag, type Version, type Bump } from './semver.js';
export { changelogSection, prependSection, CHANGELOG_FILE } from './changelog.js';
