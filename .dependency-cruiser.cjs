/**
 * The house rules, checked by `npm run lint` (dependency-cruiser). docs/architecture.md draws them.
 *
 *   @slipway/kube      the Kubernetes vocabulary; imports nothing of Slipway
 *   @slipway/sandbox   the embedded cluster; imports @slipway/kube only
 *   spec ← render ← policy ← engine ← cli (and demo, the CLI's scripted tour)
 *   cluster: the one door to an API server, used by the engine and the CLI
 *   secrets: the SOPS format and age wrapping, pure, used by the engine and the CLI; local.ts reads
 *            the files and the key, for the CLI only
 *
 * spec, render and policy are pure: no file system, network, processes or clock (the clock and
 * process.env are checked by eslint.config.js, which sees expressions, not imports).
 */
const layer = (name) => `^src/${name}/`;
const IMPURE =
  '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|os|dgram|dns|tls|worker_threads|cluster|readline)$';

/** Layer `from` may not import any of `to`. */
const forbid = (name, from, to, comment) => ({
  name,
  comment,
  severity: 'error',
  // Tests beside the code may reach across layers (a spec test reading a file through the CLI's loader).
  from: { path: from, pathNot: '\\.test\\.ts$' },
  to: { path: to },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Files that import each other in a loop cannot be read, tested or moved one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'spec-is-the-ground',
      comment: 'The spec (schema, load, resolve) knows nothing of what is made from it.',
      severity: 'error',
      from: { path: layer('spec'), pathNot: '\\.test\\.ts$' },
      to: { path: '^(src|packages)/', pathNot: '^src/spec/|^src/errors\\.ts$|^packages/kube/' },
    },
    {
      name: 'render-sees-only-the-spec',
      comment:
        'Render is a pure function of the resolved spec: it imports the spec, the vocabulary and errors, nothing else of Slipway.',
      severity: 'error',
      from: { path: layer('render'), pathNot: '\\.test\\.ts$' },
      to: { path: '^(src|packages)/', pathNot: '^src/(spec|render)/|^src/errors\\.ts$|^packages/kube/' },
    },
    {
      name: 'policy-above-render',
      comment:
        'Policy checks plain objects (and renders specs to check them); it never reaches a cluster, the engine or the CLI.',
      severity: 'error',
      from: { path: layer('policy'), pathNot: '\\.test\\.ts$' },
      to: {
        path: '^(src|packages)/',
        pathNot: '^src/(spec|render|policy)/|^src/errors\\.ts$|^packages/kube/',
      },
    },
    {
      name: 'infra-is-pure-too',
      comment: 'The Terraform renderer is a pure function of the spec, like render.',
      severity: 'error',
      from: { path: '^src/infra/', pathNot: '\\.test\\.ts$' },
      to: {
        path: '^(src|packages)/',
        pathNot: '^src/(spec|render|policy|infra)/|^src/errors\\.ts$|^packages/kube/',
      },
    },
    {
      name: 'secrets-core-is-pure',
      comment:
        'The SOPS format and the age wrapping are pure (clock and randomness passed in): engine and CLI may use them; only src/secrets/local.ts touches files.',
      severity: 'error',
      from: { path: '^src/secrets/', pathNot: '\\.test\\.ts$|^src/secrets/local\\.ts$' },
      to: {
        path: '^(src|packages)/',
        pathNot: '^src/secrets/(?!local\\.ts$)|^src/errors\\.ts$|^packages/kube/',
      },
    },
    {
      name: 'secrets-core-no-io',
      comment: 'No file system, network or processes in the secrets format.',
      severity: 'error',
      from: { path: '^src/secrets/', pathNot: '\\.test\\.ts$|^src/secrets/local\\.ts$' },
      to: { dependencyTypes: ['core'], path: IMPURE },
    },
    forbid(
      'secrets-files-at-the-edge',
      '^src/(?!cli/|secrets/local\\.ts$)',
      '^src/secrets/local\\.ts$',
      "Reading the key and the secrets files is the CLI's job; the engine gets the opened values.",
    ),
    forbid(
      'secrets-local-stays-below-the-cli',
      '^src/secrets/local\\.ts$',
      '^src/(cli|engine|render|policy|metrics|dashboard|infra|cluster)/|^packages/sandbox/',
      'The secrets edge reads files and the environment, nothing of the deploy machinery.',
    ),
    forbid(
      'engine-below-the-cli',
      layer('engine'),
      '^src/(cli|metrics|dashboard|infra|drift)/|^src/(index|api)\\.ts$|^packages/sandbox/',
      'The engine deploys to any cluster through src/cluster; it never imports the sandbox or the CLI.',
    ),
    {
      name: 'drift-reads-releases',
      comment:
        "Drift compares the cluster with the current release: it reads release records (engine/releases), renders the release's spec, talks through src/cluster with the engine's field manager (engine/defaults.ts), its drift.ignore handling (engine/ignore.ts), the blue-green colouring of what a release served (engine/strategies/colours.ts) and its clock and budgets (--watch); it reports as findings of the policy checker's shape placed in the spec (policy/types, policy/sources/spec-origins) and in the metrics text format (metrics/exposition); only the CLI calls it.",
      severity: 'error',
      from: { path: '^src/drift/', pathNot: '\\.test\\.ts$' },
      to: {
        path: '^(src|packages)/',
        pathNot:
          '^src/(drift|spec|render|cluster|engine/releases)/|^src/engine/(defaults|ignore|clock|deadline)\\.ts$|^src/engine/strategies/colours\\.ts$|^src/policy/(types|sources/spec-origins)\\.ts$|^src/metrics/exposition\\.ts$|^src/errors\\.ts$|^packages/kube/',
      },
    },
    forbid(
      'cluster-is-an-edge',
      '^src/cluster/',
      '^src/(render|policy|engine|cli|demo|release|secrets|drift)/|^packages/sandbox/',
      'The cluster door knows Kubernetes, not Slipway.',
    ),
    {
      name: 'pure-core',
      comment:
        'spec, render and policy are pure: no file system, network or processes (use an interface the edge passes in).',
      severity: 'error',
      from: { path: '^src/(spec|render|policy|infra)/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'], path: IMPURE },
    },
    {
      name: 'kube-stands-alone',
      comment: '@slipway/kube is the vocabulary everything imports; it imports nothing back.',
      severity: 'error',
      from: { path: '^packages/kube/' },
      to: { path: '^src/|^packages/sandbox/' },
    },
    {
      name: 'sandbox-stands-alone',
      comment: 'The sandbox is its own package: it depends on @slipway/kube, never on Slipway.',
      severity: 'error',
      from: { path: '^packages/sandbox/' },
      to: { path: '^src/|^test/' },
    },
    {
      name: 'packages-through-their-entry',
      comment:
        'Slipway reaches a workspace package through its name (@slipway/<name>, its public entry), never by a relative path into its files.',
      severity: 'error',
      from: { path: '^(src|bench|scripts|test)/' },
      to: { path: '^packages/', dependencyTypes: ['local'], dependencyTypesNot: ['aliased-workspace'] },
    },
    {
      name: 'no-test-code-in-the-build',
      comment: 'Published code never imports tests, test doubles or vitest.',
      severity: 'error',
      from: { path: '^(src|packages/[^/]+/src)/', pathNot: '\\.test\\.ts$' },
      to: { path: '(^test/|/testing/|\\.test\\.ts$|^node_modules/vitest/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|coverage)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
