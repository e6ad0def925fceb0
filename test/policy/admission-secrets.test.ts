import { describe, expect, it } from 'vitest';
import { JUDGES, verdictsFor } from '../../src/policy/admission/verdicts.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { RULES } from '../../src/policy/rules/index.js';

/**
 * The credential tests of secret-env-literal and secret-in-configmap restated in CEL (rules/secrets.ts):
 * check and the three exports agree on each value, and the expected ones are refused. The cases aim at
 * where JavaScript regular expressions and RE2 differ (whitespace, `.`, case folding, lookahead), at
 * the configuration-line reading (quotes, comments, export, separators, CRLF) and at strings with
 * characters outside the BMP, which CEL's indexOf and substring count differently per implementation.
 */
const key35 = 'SyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1v';
const CASES: Array<[name: string, value: string, refused: boolean]> = [
  // One value under a name, as an env var or a one-line ConfigMap entry.
  ['DB_PASSWORD', 'hunter22', true],
  ['db_password', 'hunter22', true],
  ['DB_PASSWORD', '  ', false],
  ['DB_PASSWORD', ' $(FROM_SECRET)', false],
  ['DB_PASSWORD', '<none>', false],
  ['DB_PASSWORD', 'NULL', false],
  ['DB_PASSWORD', '/run/secrets/db', false],
  ['DB_PASSWORD', ' /run/secrets/db', true],
  ['API_KEY', 'Team/Secret-Name', false],
  ['TOKEN', '\u000b', true],
  ['TOKEN', '\u00a0', true],
  ['DB_\u017fECRET', 'hunter22', false],
  ['PASSWORD_MIN_LENGTH', '12345678', false],
  ['mypassword', 'hunter22', false],
  ['X', `AIza${key35}`, true],
  ['X', `AIza${key35}!`, true],
  ['X', `AIza${key35}x`, false],
  ['X', 'AUTHORIZATION: Basic abcdefghijklmnop==', true],
  ['X', 'authorization:\u00a0bearer abcdefghijklmnopqr', false],
  ['X', 'HTTPS://user:pw@host/x', true],
  ['X', 'https://user@host/x', false],
  ['X', '{"type"\t:\n"service_account", "private_key": "k"}', true],
  // Every format, each with the text CEL looks for before its pattern.
  ['X', '-----BEGIN EC PRIVATE KEY-----', true],
  ['X', 'ASIAY34FZKBOKMUTVV7A', true],
  ['X', `AccountKey=${'Zm9vYmFy'.repeat(6)}==`, true],
  ['X', 'ghp_0123456789abcdefghijABCDEFGHIJ012345', true],
  ['X', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', true],
  ['X', 'glpat-xxxxxxxxxxxxxxxxxxxx', true],
  ['X', 'xoxb-0123456789-abc', true],
  ['X', 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', true],
  ['X', 'rk_live_0123456789abcdef', true],
  ['X', 'npm_abcdefghijklmnopqrstuvwxyz0123456789', true],
  ['X', 'SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ', true],
  ['X', 'sk-ant-abcdefghijklmnopqrstuvwxyz', true],
  ['X', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlMTIz', true],
  ['X', '{"auths":{"ghcr.io":{"auth":"dXNlcjpwYXNzd29yZA=="}}}', true],
  ['X', 'client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=', true],
  ['X', 'Hooks.Slack.com/services/T0/B0/XXXXXXXXXXXXXXXXXXXX', false],
  // Configuration files, read line by line.
  ['app.ini', '[db]\npassword = hunter22\n', true],
  ['.env', 'export DB_PASSWORD="s3cr3t"\n', true],
  ['.env', 'EXPORT DB_PASSWORD=s3cr3t\n', false],
  ['.env', 'export DB_PASSWORD=""\n', false],
  ['.env', "DB_TOKEN='  '\n", false],
  ['c.yaml', 'token: ${TOKEN}\n', false],
  ['c.yaml', 'password: <changeme>\nother: 1\n', false],
  ['c.yaml', 'password: true  # a comment\n', false],
  ['c.yaml', 'password: abc # a comment\r\nuser: x\r\n', true],
  ['c.yaml', 'password: /run/secrets/db\n', false],
  ['c.yaml', 'password: " /run/secrets/db"\n', true],
  ['c.yaml', 'password: team/creds ; ref\n', false],
  ['c.yaml', 'password_file: abc\n', false],
  ['c.json', '{\n  "client_secret": "abcdef",\n}\n', false],
  ['c.json', '{\n  "client_secret": "abcdef"\n}\n', true],
  ['c.ini', 'db.password=12\n', false],
  ['c.ini', 'db.password=1234567\n', true],
  ['c.ini', 'db-password:abc;comment\n', true],
  ['c.ini', 'db_password = a b\n', false],
  ['c.ini', "password='it''s'\n", false],
  ['c.ini', 'key: password=abc\n', false],
  ['c.ini', 'password=abc=def\n', true],
  ['c.ini', '\tapi-key:\tabc\n', true],
  ['c.ini', 'api_token=\u{1f600}x\n', true],
  ['c.ini', 'api_token: "\u{1f600}"\nx: y\n', true],
  ['c.ini', 'api_token: "\u{1f600}/x"\n', true],
  ['c.ini', 'x=\u{1f600}\npassword: $(X)\n', false],
  ['c.ini', 'passw\u00f6rd=abc\n', false],
  ['c.ini', 'password =   \n', false],
];

const yaml = CASES.map(
  ([name, value], i) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c${i} }\ndata: { ${JSON.stringify(name)}: ${JSON.stringify(value)} }\n---\n` +
    `apiVersion: v1\nkind: Pod\nmetadata: { name: p${i} }\nspec: { containers: [{ name: a, image: a:1, env: [{ name: ${JSON.stringify(name)}, value: ${JSON.stringify(value)} }] }] }\n---\n`,
).join('');
const { manifests, problems } = parseManifests(yaml, 'secrets.yaml');
const options = { kubeVersion: { major: 1, minor: 36 }, pssVersion: { major: 1, minor: 35 } };
const norm = (x: string) => (x === 'skip' ? 'pass' : x);

describe.each([
  ['secret-in-configmap', 'ConfigMap/c'],
  ['secret-env-literal', 'Pod/p'],
])('%s edge cases', (id, prefix) => {
  it('check and the three exports agree on every value, refusing the expected ones', () => {
    expect(problems).toEqual([]);
    const rule = RULES.find((r) => r.id === id)!;
    const verdicts = verdictsFor(rule, manifests, options).filter((v) => v.object.startsWith(prefix));
    expect(verdicts).toHaveLength(CASES.length);
    expect(verdicts.filter((v) => JUDGES.some((j) => norm(v.verdicts[j]) !== v.verdicts.check))).toEqual([]);
    expect(verdicts.filter((v) => v.verdicts.check === 'fail').map((v) => v.object)).toEqual(
      CASES.flatMap(([, , refused], i) => (refused ? [`${prefix}${i}`] : [])),
    );
  });
});
