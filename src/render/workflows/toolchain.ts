/**
 * Lint and test steps per language, run in the service's build context. Each uses the tools the
 * language's own community treats as the baseline (go vet + gofmt + go test; the package's own
 * npm scripts; ruff + pytest), so a repository needs no extra configuration to get a useful CI.
 */
import { uses } from './actions.js';
import { NODE_VERSION, PYTHON_VERSION } from './defaults.js';
import type { Step } from './common.js';
import type { Language } from './languages.js';

export interface ToolchainInput {
  language: Language;
  /** Build context from the repository root. */
  dir: string;
  /** Marker files present (from the repository root), to pick the install command. */
  markers: string[];
  /** Minimum line coverage in percent (spec `ci.coverage`); undefined: tests only. */
  coverage?: number;
}

/** Languages whose test step can enforce `ci.coverage`. */
export const COVERAGE_LANGUAGES: readonly Language[] = ['go', 'python', 'node'];

/** Steps after checkout; `undefined` when Slipway knows no lint/test for the language. */
export function lintAndTest({ language, dir, markers, coverage }: ToolchainInput): Step[] | undefined {
  const at = (file: string) => (dir === '.' ? file : `${dir}/${file}`);
  const wd = { 'working-directory': dir };
  switch (language) {
    case 'go':
      return [
        {
          uses: uses('setupGo'),
          with: { 'go-version-file': at('go.mod'), 'cache-dependency-path': at('go.sum') },
        },
        {
          name: 'Lint (gofmt, go vet)',
          ...wd,
          run: 'test -z "$(gofmt -l .)" || { gofmt -l .; exit 1; }\ngo vet ./...\n',
        },
        coverage === undefined
          ? { name: 'Test', ...wd, run: 'go test -race ./...' }
          : {
              name: `Test (line coverage at least ${coverage}%)`,
              ...wd,
              run:
                [
                  'go test -race -coverprofile=coverage.out ./...',
                  `go tool cover -func=coverage.out | awk '/^total:/ { sub("%", "", $3); print "coverage " $3 "%"; if ($3 + 0 < ${coverage}) { print "below ${coverage}%"; exit 1 } }'`,
                ].join('\n') + '\n',
            },
      ];
    case 'node':
      return [
        { uses: uses('setupNode'), with: { 'node-version': NODE_VERSION } },
        { name: 'Install', ...wd, run: 'if [ -f package-lock.json ]; then npm ci; else npm install; fi' },
        { name: 'Lint', ...wd, run: 'npm run lint --if-present' },
        coverage === undefined
          ? { name: 'Test', ...wd, run: 'npm test --if-present' }
          : {
              name: `Test (line coverage at least ${coverage}%)`,
              ...wd,
              // c8 measures V8's own coverage of whatever `npm test` runs, whichever test runner it is.
              run: `npx --yes c8@10 --check-coverage --lines ${coverage} npm test`,
            },
      ];
    case 'python': {
      const install = markers.some((m) => m.endsWith('requirements.txt'))
        ? 'python -m pip install -r requirements.txt'
        : 'python -m pip install .';
      return [
        { uses: uses('setupPython'), with: { 'python-version': PYTHON_VERSION } },
        {
          name: 'Install',
          ...wd,
          run: `python -m pip install --upgrade pip\n${install}\npython -m pip install ruff pytest${coverage === undefined ? '' : ' pytest-cov'}\n`,
        },
        { name: 'Lint (ruff)', ...wd, run: 'ruff check .' },
        // pytest exits 5 when it collects no tests; a service without tests yet is not a failed build.
        coverage === undefined
          ? { name: 'Test (pytest)', ...wd, run: 'python -m pytest || [ $? -eq 5 ]' }
          : {
              name: `Test (pytest, line coverage at least ${coverage}%)`,
              ...wd,
              run: `python -m pytest --cov=. --cov-fail-under=${coverage}`,
            },
      ];
    }
    case 'rust':
      // rustup, cargo, clippy and rustfmt come with GitHub's ubuntu runner image.
      return [
        {
          name: 'Lint (rustfmt, clippy)',
          ...wd,
          run: 'cargo fmt --check\ncargo clippy --all-targets -- -D warnings\n',
        },
        { name: 'Test', ...wd, run: 'cargo test' },
      ];
    case 'java':
      return [
        {
          name: 'Build and test',
          ...wd,
          run: markers.some((m) => m.endsWith('pom.xml'))
            ? 'mvn --batch-mode verify'
            : 'chmod +x gradlew\n./gradlew build\n',
        },
      ];
    case 'other':
      return undefined;
  }
}
