import { describe, expect, it } from 'vitest';
import { selectBackups } from '../../src/backup/backup.js';
import { withinBudget } from '../../src/backup/job.js';
import { ManualClock } from '../../src/engine/clock.js';
import { UserError } from '../../src/errors.js';
import { resolved } from '../render/fixtures.js';

const app = resolved({
  services: { api: { image: 'a:1', port: 8080 } },
  dependencies: {
    db: { type: 'postgres' },
    vectors: { type: 'chromadb' },
    legacy: { type: 'postgres', external: { secret: 'legacy-db' } },
  },
  backups: {
    db: { schedule: '0 1 * * *', keep: 3 },
    vectors: { schedule: '0 1 * * *', keep: 3 },
    legacy: { schedule: '0 1 * * *', keep: 3 },
  },
});

describe('backup commands', () => {
  it('an unknown dependency is bad input naming what is backed up', () => {
    const err = (() => {
      try {
        selectBackups(app, 'dbb');
      } catch (e) {
        return e as UserError;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect(err!.exitCode).toBe(2);
    expect(err!.message).toBe('dev backs up no dependency "dbb"');
    expect(err!.hint).toBe('backed up here: db, legacy, vectors');
  });

  it('a dependency Slipway does not back up, asked for by name, is refused with why; without a name it is left out', () => {
    expect(() => selectBackups(app, 'legacy')).toThrow(
      /an external \(or managed\) dependency is backed up by whoever runs it/,
    );
    expect(selectBackups(app).map((s) => [s.name, s.target.kind, s.target.files?.stop ?? false])).toEqual([
      ['db', 'postgres', false],
      ['vectors', 'chromadb', true],
    ]);
  });

  it('a wait that outlives its budget fails (exit 1) naming it, after giving up; other errors pass through', async () => {
    const clock = new ManualClock(new Date('2026-12-06T00:00:00Z'));
    let gaveUp = false;
    const waiting = withinBudget(
      clock,
      60_000,
      'the backup of db (Job shop/x)',
      (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      async () => {
        gaveUp = true;
      },
    );
    clock.advance(60_000);
    await expect(waiting).rejects.toMatchObject({
      message: 'gave up waiting for the backup of db (Job shop/x) after 1m',
      exitCode: 1,
    });
    expect(gaveUp).toBe(true);
    await expect(withinBudget(clock, 1000, 'x', () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
  });
});
