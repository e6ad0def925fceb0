import { arr, isObj, obj } from '../access.js';
import type { Rule, Violation } from '../types.js';
import { containersOf } from '../workloads.js';
import { celString, listOr, mapOr } from './cel.js';
import { kindRule, workloadRule } from './define.js';

/*
 * Every regular expression here is written once, as text both JavaScript and RE2 (Kubernetes' CEL
 * `matches`) read the same way, and the rule's TypeScript and its admission CEL use the same text:
 * - whitespace is RE2's \s, [\t\n\f\r ] (JavaScript's \s also takes \v and the Unicode spaces);
 * - no lookarounds (RE2 has none): the Google API key's "not followed by a key character" is
 *   "followed by another character or the end";
 * - no case-insensitive flag: the text is lowered (ASCII only, CEL's lowerAscii()) and the pattern is
 *   written in lower case, as RE2's (?i) also folds the Kelvin sign and the long s, which /i does not;
 * - `.` never appears: it stops at \r in JavaScript and not in RE2.
 */
const WS_CHARS = '\\t\\n\\f\\r ';
const WS = `[${WS_CHARS}]`;

/** A pattern over the value, over its ASCII-lowered form when `lower`. */
interface Pattern {
  source: string;
  lower: boolean;
}
const pattern = (source: string, lower = false): Pattern & { re: RegExp } => ({
  source,
  lower,
  re: new RegExp(source),
});
const lowerAscii = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
const test = (p: Pattern & { re: RegExp }, s: string) => p.re.test(p.lower ? lowerAscii(s) : s);
/** The same test in CEL over the string expression `s`. */
const celTest = (p: Pattern, s: string, needs?: string) => {
  const text = `${s}${p.lower ? '.lowerAscii()' : ''}`;
  const match = `${text}.matches(${celString(p.source)})`;
  // `needs` is text every match holds: tested first, as Kubernetes charges `contains` a tenth of the
  // string's length and `matches` that times a quarter of the pattern's.
  return needs ? `(${text}.contains(${celString(needs)}) && ${match})` : match;
};

/**
 * Names that say "this is a credential". The name must END with the credential word: TOKEN_AUDIENCE,
 * PASSWORD_MIN_LENGTH or DB_PASSWORD_FILE are settings and references, not secrets.
 */
const SECRET_WORD =
  '(pass(word|wd)?|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?|auth[_-]?key|client[_-]?secret|dsn)';
const SECRET_NAME = pattern(`(^|[_.-])${SECRET_WORD}$`, true);

/**
 * Values that are unmistakably credentials whatever the variable is called: the documented formats of
 * key material and of cloud and SaaS tokens (fixed prefixes and lengths, so ordinary text does not match).
 */
/** With, for the CEL, a text every match holds (see celTest). */
const VALUE_PATTERNS: Array<[Pattern & { re: RegExp }, what: string, needs?: string]> = [
  [pattern('-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----'), 'a private key', 'PRIVATE KEY'],
  [pattern('\\b(AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[0-9A-Z]{16}\\b'), 'an AWS access key ID'],
  [pattern('\\bAIza[0-9A-Za-z_-]{35}([^0-9A-Za-z_-]|$)'), 'a Google API key', 'AIza'],
  [
    pattern(
      `"type"${WS}*:${WS}*"service_account"[\\s\\S]*"private_key"|"private_key"[\\s\\S]*"type"${WS}*:${WS}*"service_account"`,
    ),
    'a Google service account key',
    '"service_account"',
  ],
  [pattern('AccountKey=[A-Za-z0-9+/]{40,}={0,2}'), 'an Azure storage account key', 'AccountKey='],
  [pattern('\\bgh[pousr]_[A-Za-z0-9]{36,}\\b'), 'a GitHub token', 'gh'],
  [pattern('\\bgithub_pat_[A-Za-z0-9_]{40,}\\b'), 'a GitHub token', 'github_pat_'],
  [pattern('\\bglpat-[A-Za-z0-9_-]{20,}'), 'a GitLab token', 'glpat-'],
  [pattern('\\bxox[abposr]-[A-Za-z0-9-]{10,}'), 'a Slack token', 'xox'],
  [
    pattern('https://hooks[.]slack[.]com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}'),
    'a Slack webhook URL',
    'hooks.slack.com/services/',
  ],
  [pattern('\\b[sr]k_live_[A-Za-z0-9]{16,}'), 'a Stripe live key', 'k_live_'],
  [pattern('\\bnpm_[A-Za-z0-9]{36}\\b'), 'an npm token', 'npm_'],
  [pattern('\\bSG[.][A-Za-z0-9_-]{22}[.][A-Za-z0-9_-]{43}\\b'), 'a SendGrid key', 'SG.'],
  [
    pattern('\\bsk-(proj-|ant-)[A-Za-z0-9_-]{20,}|\\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\\b'),
    'an OpenAI or Anthropic API key',
    'sk-',
  ],
  [pattern('\\beyJ[A-Za-z0-9_-]{8,}[.]eyJ[A-Za-z0-9_-]{8,}[.][A-Za-z0-9_-]{8,}'), 'a JSON Web Token', 'eyJ'],
  [
    pattern(`"auths"${WS}*:[\\s\\S]*"auth"${WS}*:${WS}*"[A-Za-z0-9+/]{8,}={0,2}"`),
    'a registry credential (.dockerconfigjson)',
    '"auths"',
  ],
  [pattern(`\\bclient-key-data:${WS}*[A-Za-z0-9+/]{20,}`), 'a kubeconfig client key', 'client-key-data:'],
  [
    pattern(`\\bauthorization:${WS}*(basic|bearer)${WS}+[a-z0-9._~+/-]{16,}=*`, true),
    'an HTTP Authorization header',
    'authorization:',
  ],
  [
    pattern(`^[a-z][a-z0-9+.-]*://[^/${WS_CHARS}:@]+:[^/${WS_CHARS}@$]+@`, true),
    'a URL with a password',
    '://',
  ],
];

/** Empty, a `$(VAR)` or `${VAR}` reference, a flag, a small number or `<placeholder>`, around whitespace. */
const PLACEHOLDER = pattern(
  `^${WS}*$|^${WS}*[$][({]|^${WS}*(true|false|yes|no|on|off|null|none|-|[0-9]{1,6})${WS}*$|^${WS}*<[^>]+>${WS}*$`,
  true,
);
/** Paths and references to other places are not the secret itself; `padded` allows whitespace around. */
const reference = (padded: boolean) => {
  const pad = (s: string) => (padded ? `^${WS}*${s}${WS}*$` : `^${s}$`);
  return [pattern(pad('/[\\w./-]+')), pattern(pad('[a-z0-9-]+/[a-z0-9-]+'), true)];
};
const REFERENCE = reference(false);
const PADDED_REFERENCE = reference(true);

/**
 * A `name = value` or `name: value` line of a configuration file (properties, .env, YAML, TOML, INI).
 * The name, the export keyword and the quotes are ASCII, so the first `:` or `=` separates name and value.
 */
const CONFIG_LINE = pattern(
  `^${WS}*(?:export${WS}+)?["']?([A-Za-z_][\\w.-]*)["']?${WS}*[:=]${WS}*(?:"([^"]*)"|'([^']*)'|([^${WS_CHARS}#;"']+))${WS}*(?:[#;][^\\n]*)?$`,
);
/** What is before the separator of a CONFIG_LINE ends with a credential name (SECRET_NAME on the name). */
const CONFIG_HEAD = pattern(`(^|[_.${WS_CHARS}"'-])${SECRET_WORD}["']?${WS}*$`, true);

/**
 * Why `value` under `name` looks like a credential, or undefined. A multi-line value (a configuration
 * file in a ConfigMap) is also read line by line, each `key = value` judged like a variable.
 */
export function secretReason(name: string, value: string): string | undefined {
  // The value lowered once for the patterns that read it so (not once per pattern).
  let lowered: string | undefined;
  for (let i = 0; i < VALUE_PATTERNS.length; i++) {
    const p = VALUE_PATTERNS[i]![0];
    if (p.re.test(p.lower ? (lowered ??= lowerAscii(value)) : value))
      return `its value looks like ${VALUE_PATTERNS[i]![1]}`;
  }
  if (value.includes('\n')) {
    const lines = value.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = CONFIG_LINE.re.exec(lines[i] as string);
      if (!m) continue;
      const why = literalReason(m[1] as string, m[2] ?? m[3] ?? m[4] ?? '');
      if (why) return `line ${i + 1} (${m[1]}) holds a literal credential`;
    }
    return undefined;
  }
  return literalReason(name, value);
}

function literalReason(name: string, value: string): string | undefined {
  if (test(PLACEHOLDER, value) || !test(SECRET_NAME, name)) return undefined;
  if (REFERENCE.some((p) => test(p, value))) return undefined;
  return `the name ${name} says it is a credential and the value is a literal`;
}

/** `v` (CEL) is a literal, not a placeholder or a reference; `padded` when whitespace may surround it. */
const celLiteral = (v: string, padded: boolean) =>
  `!(${[PLACEHOLDER, ...(padded ? PADDED_REFERENCE : REFERENCE)].map((p) => celTest(p, v)).join(' || ')})`;

/**
 * secretReason(n, v) !== undefined in CEL, over the string expressions `n` and `v`. A configuration line
 * is split at its first `:` or `=` (indexOf and substring count ASCII the same in every CEL); the value
 * is the quoted text, or the unquoted word with whitespace around (cut at a `#` or `;` comment).
 */
/** Every credential name (SECRET_WORD) holds one of these: CEL reads the lines only when `v` does. */
const mayName = (v: string) =>
  `(${['pass', 'secret', 'token', 'key', 'credential', 'dsn'].map((w) => `${v}.lowerAscii().contains('${w}')`).join(' || ')})`;

export function secretCel(n: string, v: string): string {
  const head = `line.substring(0, sep)`;
  const value = `rest.matches(${celString(`^${WS}*"`)}) ? ${celLiteral(`rest.split('"')[1]`, false)} : rest.matches(${celString(`^${WS}*'`)}) ? ${celLiteral(`rest.split("'")[1]`, false)} : ${celLiteral(`rest.split('#')[0].split(';')[0]`, true)}`;
  const line = `${celTest(CONFIG_LINE, 'line')} && [line.indexOf(':') >= 0 && (line.indexOf('=') < 0 || line.indexOf(':') < line.indexOf('=')) ? line.indexOf(':') : line.indexOf('=')].exists(sep, ${celTest(CONFIG_HEAD, head)} && [line.substring(sep + 1)].exists(rest, ${value}))`;
  return `(${VALUE_PATTERNS.map(([p, , needs]) => celTest(p, v, needs)).join(' || ')} || (${v}.contains('\\n') ? ${mayName(v)} && ${v}.split('\\n').exists(line, ${line}) : ${celTest(SECRET_NAME, n)} && ${celLiteral(v, false)}))`;
}

const envLiteral = workloadRule(
  {
    id: 'secret-env-literal',
    admission: {
      kinds: 'workloads',
      expression: `variables.allContainers.all(c, type(c) != map || ${listOr('c', 'env')}.all(e, type(e) != map || !has(e.value) || !has(e.name) || type(e.value) != string || type(e.name) != string || !${secretCel('e.name', 'e.value')}))`,
      message:
        'env[].value must not be a credential (a key or token format, a URL with a password, or a literal under a credential name): use env[].valueFrom.secretKeyRef',
    },
    title: 'Credential as a literal environment variable',
    severity: 'error',
    category: 'secrets',
    checks:
      'env[].value of every container must not be a credential: a value shaped like a private key, cloud or SaaS token, JWT or a URL with a password, or a literal under a name like *_PASSWORD, *_TOKEN, *_API_KEY (names ending in _FILE, _PATH, _URL, ... are references and skipped).',
    rationale: 'Literals end up in git, in `kubectl get -o yaml`, in every backup and in CI logs.',
    remediation:
      'Put the value in a Secret and use env[].valueFrom.secretKeyRef (slipway: `secrets:` in slipway.yaml).',
  },
  (w) =>
    containersOf(w).flatMap((c) =>
      arr(c.container.env).flatMap((e, i): Violation[] => {
        if (!isObj(e) || typeof e.value !== 'string' || typeof e.name !== 'string') return [];
        const why = secretReason(e.name, e.value);
        return why
          ? [
              {
                manifest: w.manifest,
                path: [...c.path, 'env', i, 'value'],
                container: c.name,
                message: `container "${c.name}" env ${e.name}: ${why}`,
              },
            ]
          : [];
      }),
    ),
);

const configMapSecret = kindRule(
  {
    id: 'secret-in-configmap',
    admission: {
      kinds: ['ConfigMap'],
      expression: `${mapOr('object', 'data')}.all(k, type(object.data[k]) != string || !${secretCel('k', 'object.data[k]')})`,
      message: 'ConfigMap data must not hold credentials: move the entry to a Secret',
    },
    title: 'Secret data in a ConfigMap',
    severity: 'warning',
    category: 'secrets',
    checks:
      'ConfigMap data entries must not hold credentials (same tests as secret-env-literal, on each key and value).',
    rationale:
      'ConfigMaps are not treated as sensitive: they are readable with broader RBAC, not encrypted at rest by default, and printed freely.',
    remediation: 'Move the entry to a Secret.',
  },
  ['ConfigMap'],
  (m) =>
    Object.entries(obj(m.body.data) ?? {}).flatMap(([k, v]): Violation[] => {
      if (typeof v !== 'string') return [];
      const why = secretReason(k, v);
      return why ? [{ manifest: m, path: ['data', k], message: `key ${k}: ${why}` }] : [];
    }),
);

export const SECRET_RULES: Rule[] = [envLiteral, configMapSecret];
