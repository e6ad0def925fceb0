/**
 * toYaml writes plain data directly and hands everything else to the yaml library; the direct
 * writer must produce the library's text byte for byte. Generated values lean on the edges: strings
 * that need quoting (YAML 1.1 booleans, numbers, `e5`, colons, control characters, non-ASCII),
 * empty collections at every depth, nested sequences, undefined entries, odd numbers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { libraryYaml, toYaml, toYamlStream } from '../../src/render/yaml.js';

const tricky = fc.constantFrom(
  '',
  ' ',
  'a b',
  'on',
  'Yes',
  'null',
  '~',
  'e5',
  'E+10',
  '1e3',
  '0o17',
  '0x1F',
  '08',
  '1_000',
  '12:30',
  '2024-01-01',
  '.inf',
  '.nan',
  '-',
  '- a',
  '? x',
  'a: b',
  'a:',
  'a:b',
  'key #c',
  '#c',
  '&a',
  '*a',
  '!tag',
  '%x',
  '@x',
  '`x',
  '"q"',
  "it's",
  'both "q" and \'s\'',
  'back\\slash',
  'tab\there',
  'cr\rhere',
  'nul\u0000x',
  'bell\u0007',
  'del\u007f',
  'nbsp\u00a0x',
  'é',
  '日本',
  '😀',
  '---',
  '...',
  '<<',
  '/healthz',
  'app.kubernetes.io/name',
  'ghcr.io/acme/web:1.2.3',
  'sha256:abc',
  'a=b',
  'trailing ',
  ' leading',
  'line\nbreak',
  'ends\n',
  'x'.repeat(1100),
);
const text = fc.oneof(tricky, fc.string(), fc.string({ unit: 'binary', maxLength: 6 }));
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 0.5, 1e21, 1e-7, Number.MAX_SAFE_INTEGER + 2),
);
const leaf = fc.oneof(text, number, fc.boolean(), fc.constant(null), fc.constant(undefined));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
    fc.constant([]),
    fc.constant({}),
  ),
}));
const topLevel = fc.oneof(fc.dictionary(text, value, { maxKeys: 6 }), value);

describe('toYaml', () => {
  it('writes what the yaml library writes, for generated values', () => {
    fc.assert(
      fc.property(topLevel, (v) => {
        expect(toYaml(v)).toBe(libraryYaml(v));
      }),
      { numRuns: 1500 },
    );
  });

  it('writes what the yaml library writes for a Kubernetes object, dates and sparse arrays', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' }, annotations: {} },
      spec: {
        replicas: 2,
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                args: ['--port', '8080', 'on'],
                env: [{ name: 'A', value: 'multi\nline\n' }],
                ports: [{ containerPort: 8080 }],
                resources: { limits: { cpu: '500m', memory: '1Gi' }, requests: {} },
              },
            ],
            volumes: [],
            nested: [[1, [2, []]], [{}], [{ a: [] }]],
          },
        },
      },
      createdAt: new Date(0),
      // eslint-disable-next-line no-sparse-arrays
      sparse: [1, , 3],
    };
    expect(toYaml(deployment)).toBe(libraryYaml(deployment));
    const { createdAt: _d, sparse: _s, ...plain } = deployment;
    expect(toYaml(plain)).toBe(libraryYaml(plain));
    expect(toYamlStream([plain, { kind: 'List' }])).toBe(
      `${libraryYaml(plain)}---\n${libraryYaml({ kind: 'List' })}`,
    );
  });
});
