import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { writeWorkflows } from '../../src/render/workflows/index.js';
import { filesOf } from '../../src/render/workflows/languages.js';
import { actionlint, exampleSpecs, inputOfFile } from './helpers.js';

type Workflow = {
  jobs: Record<string, { environment?: string; steps: { run?: string; env?: Record<string, string> }[] }>;
};

function deploySteps(name: string) {
  const example = exampleSpecs().find((e) => e.name === name)!;
  const out = writeWorkflows(inputOfFile(example.file), { slipwayVersion: '0.1.0', files: filesOf([]) });
  const [path, text] = [...out.files].find(([p]) => p.endsWith('cd.yml'))!;
  const cd = parse(text) as Workflow;
  const steps = Object.values(cd.jobs)
    .filter((j) => j.environment !== undefined)
    .flatMap((j) =>
      j.steps
        .filter((s) => s.run?.startsWith('slipway deploy'))
        .map((s) => ({ env: j.environment!, step: s })),
    );
  return { path, text, steps };
}

describe('the CD workflow and the age key', () => {
  it('passes SLIPWAY_AGE_KEY from each GitHub Environment to the deploy of an app with secrets', async () => {
    const { path, text, steps } = deploySteps('discord-bot');
    expect(steps.length).toBeGreaterThan(0);
    for (const { step } of steps) expect(step.env?.SLIPWAY_AGE_KEY).toBe('${{ secrets.SLIPWAY_AGE_KEY }}');
    expect(await actionlint(text, path)).toEqual([]);
  });

  it('leaves it out when no service lists secrets', () => {
    const { steps } = deploySteps('sample-service');
    expect(steps.length).toBeGreaterThan(0);
    for (const { step } of steps) expect(step.env?.SLIPWAY_AGE_KEY).toBeUndefined();
  });
});
