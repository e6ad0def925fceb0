import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { writeRunbooks } from '../../src/render/runbooks/index.js';
import { kubectlPath } from '../helpers/kube-tools.js';
import { exampleSpecs } from './helpers.js';
import { renderedInputOfFile } from './rendered.js';

const PAGES = [
  'README.md',
  'deploy.md',
  'rollback.md',
  'failed-deploy.md',
  'incident-triage.md',
  'restore-from-backup.md',
  'secret-rotation.md',
  'drift-found.md',
];

/** Single-line kubectl commands without shell syntax, split into arguments. */
function kubectlCommands(markdown: string): string[][] {
  return markdown
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('kubectl ') && !/[|<>'"$]/.test(l))
    .map((l) => l.split(/\s+/).slice(1));
}

/**
 * A command line with its names left out: what follows a flag written without `=` (a namespace, a
 * selector, an output format) and `kind/name` arguments. Lines of one shape differ only in names,
 * which kubectl does not read before --help; every shape is run once across all the examples.
 */
function shape(args: string[]): string {
  return args
    .map((t, i) => ((i > 0 && /^(-[^-=]+|--[^=]+)$/.test(args[i - 1]!)) || t.includes('/') ? '_' : t))
    .join(' ');
}
const checkedShapes = new Set<string>();

describe('runbooks', () => {
  for (const example of exampleSpecs()) {
    describe(example.name, () => {
      const input = renderedInputOfFile(example.file);
      const out = writeRunbooks(input);

      it('writes the seven runbooks and an index', () => {
        expect([...out.files.keys()]).toEqual(PAGES.map((p) => `docs/runbooks/${p}`));
      });

      it('names every environment with its namespace and every workload render produced', () => {
        const all = [...out.files.values()].join('\n');
        for (const env of input.environments) {
          expect(all).toContain(`## ${env.environment} (namespace \`${env.app.namespace}\``);
          for (const o of env.objects.filter((x) =>
            ['Deployment', 'StatefulSet', 'CronJob'].includes(x.kind),
          )) {
            expect(out.files.get('docs/runbooks/README.md')).toContain(`${o.kind} \`${o.metadata.name}\``);
          }
        }
        expect(all).toContain(`app.kubernetes.io/instance=${input.spec.app}`);
        expect(out.files.get('docs/runbooks/rollback.md')).toContain(
          `slipway rollback --env ${input.environments[0]!.environment} --to REVISION`,
        );
      });

      it('the selectors in the runbooks match the labels render put on the objects', () => {
        for (const env of input.environments) {
          for (const o of env.objects.filter((x) =>
            ['Deployment', 'StatefulSet', 'CronJob'].includes(x.kind),
          )) {
            expect(o.metadata.labels?.['app.kubernetes.io/instance'], o.metadata.name).toBe(input.spec.app);
          }
          for (const job of env.objects.filter((x) => x.kind === 'Job')) {
            expect(job.metadata.labels).toMatchObject({
              'app.kubernetes.io/instance': input.spec.app,
              'app.kubernetes.io/component': 'migration',
            });
          }
        }
      });

      it('the real kubectl accepts every plain kubectl command line (flags and arguments parse)', () => {
        const commands = [...out.files.values()].flatMap(kubectlCommands);
        expect(commands.length).toBeGreaterThan(3);
        for (const args of commands) {
          // Lines of one shape parse alike (kubectl --help reads flags, not names): each shape once.
          if (checkedShapes.has(shape(args))) continue;
          checkedShapes.add(shape(args));
          // --help makes kubectl parse the flags and exit without contacting a cluster; an unknown flag fails.
          expect(
            // Before `--`: what follows it is the container's command, not kubectl's flags.
            () =>
              execFileSync(
                kubectlPath(),
                args.includes('--') ? [...args.slice(0, args.indexOf('--')), '--help'] : [...args, '--help'],
                { stdio: 'pipe' },
              ),
            `kubectl ${args.join(' ')}`,
          ).not.toThrow();
        }
      });
    });
  }

  it('kubectl is a real judge: an unknown flag fails', () => {
    expect(() =>
      execFileSync(kubectlPath(), ['rollout', 'status', 'deployment', '--no-such-flag', '--help'], {
        stdio: 'pipe',
      }),
    ).toThrow();
  });
});
