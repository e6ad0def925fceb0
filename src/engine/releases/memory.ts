/** Release records in a Map: Helm's memory driver, for unit tests of the engine. */
import { UserError } from '../../errors.js';
import { releaseKey, type Release } from './release.js';
import { highest, type ReleaseStore } from './store.js';

export class MemoryReleaseStore implements ReleaseStore {
  private readonly records = new Map<string, Release>();

  async create(release: Release): Promise<void> {
    const key = recordKey(release.app, release.environment, release.revision);
    if (this.records.has(key)) throw revisionTaken(release);
    this.records.set(key, structuredClone(release));
  }

  async update(release: Release): Promise<void> {
    const key = recordKey(release.app, release.environment, release.revision);
    if (!this.records.has(key)) throw revisionMissing(release);
    this.records.set(key, structuredClone(release));
  }

  async get(app: string, environment: string, revision: number): Promise<Release | undefined> {
    const found = this.records.get(recordKey(app, environment, revision));
    return found ? structuredClone(found) : undefined;
  }

  async list(app: string, environment: string): Promise<Release[]> {
    return [...this.records.values()]
      .filter((r) => r.app === app && r.environment === environment)
      .sort((a, b) => a.revision - b.revision)
      .map((r) => structuredClone(r));
  }

  async latest(app: string, environment: string): Promise<Release | undefined> {
    return highest(await this.list(app, environment));
  }

  async deployed(app: string, environment: string): Promise<Release | undefined> {
    return highest(await this.list(app, environment), 'deployed');
  }
}

function recordKey(app: string, environment: string, revision: number): string {
  return `${releaseKey(app, environment)}.v${revision}`;
}

export function revisionTaken(release: Release): UserError {
  return new UserError(
    `release ${release.app} revision ${release.revision} in ${release.environment} already exists`,
    {
      code: 'release-exists',
      exitCode: 3,
      hint: 'another deploy recorded this revision at the same time; run `slipway history` and deploy again',
    },
  );
}

export function revisionMissing(release: Release): UserError {
  return new UserError(
    `release ${release.app} revision ${release.revision} in ${release.environment} does not exist`,
    {
      code: 'release-missing',
      exitCode: 3,
      hint: 'the release record was deleted while the deploy ran; run `slipway history`',
    },
  );
}
