import { describe, expect, it } from 'vitest';
import type { DemoRecord } from './scenario.js';
import { summarise, summaryText } from './summary.js';

const passing = (): DemoRecord => ({
  sandboxUrl: 'https://127.0.0.1:6443',
  sandboxStartMs: 900,
  service: { namespace: 'sample', name: 'sample-web', port: 40000 },
  releases: [
    { version: '1.0.0', revision: 1, outcome: 'deployed', durationMs: 3000, analysis: [] },
    {
      version: '2.0.0',
      revision: 2,
      outcome: 'deployed',
      durationMs: 7000,
      analysis: [{ name: 'smoke', phase: 'successful', message: '3 measurement(s)' }],
    },
    {
      version: '3.0.0',
      revision: 3,
      outcome: 'rolled-back',
      durationMs: 4000,
      message: 'post-promotion analysis smoke failed',
      analysis: [{ name: 'smoke', phase: 'failed', message: 'failed (1) > failureLimit (0)' }],
    },
  ],
  blueGreenLoad: {
    requests: 2000,
    perSecond: 400,
    failed: 0,
    errors: {},
    versions: { '1.0.0': 700, '2.0.0': 1300 },
  },
  brokenLoad: {
    requests: 900,
    perSecond: 300,
    failed: 20,
    errors: { 'HTTP 500 from 3.0.0': 20 },
    versions: { '2.0.0': 880, '3.0.0': 20 },
  },
  lastBrokenAnswerMs: 40,
  switchBackMs: 300,
  servingAfter: { '2.0.0': 20 },
  history: [],
});

describe('the demo verdict', () => {
  it('passes when 2.0.0 went out without a failed request, 3.0.0 was rolled back and 2.0.0 serves', () => {
    const s = summarise(passing(), 15000);
    expect(s.problems).toEqual([]);
    expect(s.passed).toBe(true);
    expect(summaryText(s)).toBe(
      [
        'Summary (15.0s; the sandbox started in 0.9s)',
        '  1.0.0  revision 1  deployed      3.0s  first release',
        '  2.0.0  revision 2  deployed      7.0s  blue-green under load: 2,000 requests at 400/s, 0 failed',
        '  3.0.0  revision 3  rolled-back   4.0s  smoke check failed after the switch; switched back to 2.0.0 in 0.3s',
        '  rollback: the last 3.0.0 answer came 40 ms after the failed check; 20 of 20 requests since answered 2.0.0',
        '',
      ].join('\n'),
    );
  });

  it('fails on a request lost during the blue-green deploy', () => {
    const record = passing();
    record.blueGreenLoad = { ...record.blueGreenLoad!, failed: 2, errors: { ECONNRESET: 2 } };
    expect(summarise(record, 1).problems).toEqual([
      '2 of 2000 requests failed during the blue-green deploy of 2.0.0: {"ECONNRESET":2}',
    ]);
  });

  it('fails when the broken version stays, or the Service answers anything but 2.0.0 afterwards', () => {
    const record = passing();
    record.releases[2] = { ...record.releases[2]!, outcome: 'deployed', analysis: [] };
    record.servingAfter = { '2.0.0': 5, '3.0.0': 15 };
    expect(summarise(record, 1).problems).toEqual([
      '3.0.0: expected rolled-back, got deployed: post-promotion analysis smoke failed',
      'after the rollback the Service answered 2.0.0 ×5, 3.0.0 ×15, not only 2.0.0',
    ]);
  });

  it('fails when the demo stopped early, naming the releases it never reached', () => {
    const record = passing();
    record.releases = [
      {
        version: '1.0.0',
        revision: 1,
        outcome: 'failed',
        durationMs: 120000,
        message: 'progress deadline exceeded',
        analysis: [],
      },
    ];
    delete record.blueGreenLoad;
    delete record.servingAfter;
    expect(summarise(record, 1).problems).toEqual([
      '1.0.0: expected deployed, got failed: progress deadline exceeded',
      '2.0.0 was never deployed (the demo stopped before it)',
      '3.0.0 was never deployed (the demo stopped before it)',
    ]);
  });
});
