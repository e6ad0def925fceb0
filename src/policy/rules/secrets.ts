import { arr, isObj, obj } from '../access.js';
import type { Rule, Violation } from '../types.js';
import { containersOf } from '../workloads.js';
import { kindRule, workloadRule } from './define.js';

/** Names that say "this is a credential"; suffixes that say "this points at one" are excluded below. */
/** The name must END with the credential word: TOKEN_AUDIENCE or PASSWORD_MIN_LENGTH are settings, not secrets. */
const SECRET_NAME =
  /(^|[_.-])(pass(word|wd)?|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?|auth[_-]?key|client[_-]?secret|dsn)$/i;
const POINTER_SUFFIX =
  /[_.-](file|path|dir|name|ref|id|url|uri|endpoint|host|port|ttl|timeout|expiry|expiration|header|length|type|enabled|mode|policy|version|format|kind|namespace|key_name)$/i;

/**
 * Values that are unmistakably credentials whatever the variable is called: the documented formats of
 * key material and of cloud and SaaS tokens (fixed prefixes and lengths, so ordinary text does not match).
 */
const VALUE_PATTERNS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----/, 'a private key'],
  [/\b(AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[0-9A-Z]{16}\b/, 'an AWS access key ID'],
  [/\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/, 'a Google API key'],
  [
    /"type"\s*:\s*"service_account"[\s\S]*"private_key"|"private_key"[\s\S]*"type"\s*:\s*"service_account"/,
    'a Google service account key',
  ],
  [/AccountKey=[A-Za-z0-9+/]{40,}={0,2}/, 'an Azure storage account key'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}\b/, 'a GitHub token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/, 'a GitLab token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/, 'a Slack webhook URL'],
  [/\b[sr]k_live_[A-Za-z0-9]{16,}/, 'a Stripe live key'],
  [/\bnpm_[A-Za-z0-9]{36}\b/, 'an npm token'],
  [/\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/, 'a SendGrid key'],
  [
    /\bsk-(proj-|ant-)[A-Za-z0-9_-]{20,}|\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b/,
    'an OpenAI or Anthropic API key',
  ],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, 'a JSON Web Token'],
  [/"auths"\s*:[\s\S]*"auth"\s*:\s*"[A-Za-z0-9+/]{8,}={0,2}"/, 'a registry credential (.dockerconfigjson)'],
  [/\bclient-key-data:\s*[A-Za-z0-9+/]{20,}/, 'a kubeconfig client key'],
  [/\bAuthorization:\s*(Basic|Bearer)\s+[A-Za-z0-9._~+/-]{16,}=*/i, 'an HTTP Authorization header'],
  [/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@$]+@/i, 'a URL with a password'],
];

function placeholder(value: string): boolean {
  const v = value.trim();
  return (
    v === '' ||
    /^\$[({]/.test(v) ||
    /^(true|false|yes|no|on|off|null|none|-|\d{1,6})$/i.test(v) ||
    /^<[^>]+>$/.test(v)
  );
}

/** A `name = value` or `name: value` line of a configuration file (properties, .env, YAML, TOML, INI). */
const CONFIG_LINE =
  /^\s*(?:export\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*(?:"([^"]*)"|'([^']*)'|([^\s#;"']+))\s*(?:[#;].*)?$/;

/**
 * Why `value` under `name` looks like a credential, or undefined. A multi-line value (a configuration
 * file in a ConfigMap) is also read line by line, each `key = value` judged like a variable.
 */
export function secretReason(name: string, value: string): string | undefined {
  for (const [re, what] of VALUE_PATTERNS) if (re.test(value)) return `its value looks like ${what}`;
  if (value.includes('\n')) {
    const lines = value.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = CONFIG_LINE.exec(lines[i] as string);
      if (!m) continue;
      const why = literalReason(m[1] as string, m[2] ?? m[3] ?? m[4] ?? '');
      if (why) return `line ${i + 1} (${m[1]}) holds a literal credential`;
    }
    return undefined;
  }
  return literalReason(name, value);
}

function literalReason(name: string, value: string): string | undefined {
  if (placeholder(value)) return undefined;
  if (!SECRET_NAME.test(name) || POINTER_SUFFIX.test(name)) return undefined;
  // Paths and references to other places are not the secret itself.
  if (/^\/[\w./-]+$/.test(value) || /^[a-z0-9-]+\/[a-z0-9-]+$/i.test(value)) return undefined;
  return `the name ${name} says it is a credential and the value is a literal`;
}

const envLiteral = workloadRule(
  {
    id: 'secret-env-literal',
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
