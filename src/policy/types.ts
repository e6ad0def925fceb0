/**
 * The checker's data model: a manifest (one Kubernetes object read from YAML, with a way to find the
 * position of any field), a rule (metadata plus a pure function over the whole input set), a violation
 * (what a rule returns: a path inside one manifest) and a finding (a violation placed at file:line:col).
 */
export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error'];

export type Path = ReadonlyArray<string | number>;

export interface Position {
  line: number;
  column: number;
  /**
   * Rendered Helm output whose line in the template cannot be known exactly (the value came from a
   * multi-line action such as toYaml/nindent, or the alignment is ambiguous): the position is the
   * document's first line in the template (line 1 when the template cannot be read).
   */
  approximate?: boolean;
  /**
   * A position in another file than the manifest's: the argument of the Terraform module call that
   * passed the value (the manifest is the called module's resource). Reported as the finding's file.
   */
  file?: string;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** One Kubernetes object from the input, as plain data, with the means to place a path in its source. */
export interface Manifest {
  /** File reported to the user (for Helm output: the template named by `# Source:`). */
  file: string;
  /** Position of the object's first line in `file` (for documents inside a `kind: List`, the item). */
  start: Position;
  ref: ObjectRef;
  /** The object body. Rules read it; they never change it. */
  body: Record<string, unknown>;
  /** Path of `body` inside its YAML document (non-empty for items of a `kind: List`). */
  docPath: Path;
  /** Position of the deepest existing node along `path` (the field itself, or its nearest parent). */
  locate(path: Path): Position;
  /** Identifies the YAML document (file + index) for `--fix`. */
  docKey: string;
  /** For objects rendered from slipway.yaml: the environment they belong to. */
  environment?: string;
  /**
   * For objects from a kustomize or Helm build: the directory built. Several builds in one run (the
   * overlays of one app) are alternatives, each checked as its own input set.
   */
  build?: string;
  /**
   * For objects of a kustomize build placed in their base file: the directory built, named in the
   * message (two overlays of one base report the same line).
   */
  via?: string;
  /** For Terraform resources (`.tf` files, or the Terraform rendered from slipway.yaml). */
  terraform?: TerraformSource;
  /**
   * For the Kubernetes object a hashicorp/kubernetes resource creates (`kubernetes_role_v1`): the
   * resource. Judged by the Kubernetes rules, in the input set of its module; a field whose value is
   * a Terraform expression is unknown, and no finding is reported on it.
   */
  declaredBy?: TerraformResource;
}

/** A Terraform resource by address (`kubernetes_role_v1.deployer`) and the module holding it. */
export interface TerraformResource {
  type: string;
  name: string;
  module: string;
  /** For a resource of a called module (type `module.<call>.<type>`): the calling module. */
  caller?: string;
}

/** What a Terraform resource knows beyond its arguments. */
export interface TerraformSource {
  /** The directory (module) the file belongs to: resources reference each other only within it. */
  module: string;
  /** Whether the module deploys a production environment. */
  production: boolean;
}

export type Category =
  | 'pod-security'
  | 'security'
  | 'images'
  | 'resources'
  | 'probes'
  | 'availability'
  | 'networking'
  | 'rbac'
  | 'secrets'
  | 'api-versions'
  | 'schema'
  | 'correctness'
  | 'control'
  | 'drift'
  | 'terraform'
  | 'custom';

/** A change `--fix` can make: set `value` at `path` (relative to the manifest body) when it is absent or wrong. */
export interface FixOp {
  path: Path;
  value: unknown;
}

export interface Violation {
  manifest: Manifest;
  /** Path of the offending field inside `manifest.body`; a missing field resolves to its nearest parent. */
  path: Path;
  message: string;
  container?: string;
  fix?: FixOp[];
}

export interface CheckOptions {
  /** Target Kubernetes minor version for API deprecations, e.g. `{ major: 1, minor: 33 }`. */
  kubeVersion: KubeVersion;
  /** Pod Security Standards policy version (`latest` = the newest the checker knows). */
  pssVersion: KubeVersion;
  /** Registries (prefixes such as `ghcr.io/acme/`) images may come from; from `.slipway-check.yaml`. */
  allowedRegistries?: string[];
}

export interface KubeVersion {
  major: number;
  minor: number;
}

export interface RuleContext {
  manifests: readonly Manifest[];
  options: CheckOptions;
}

export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  category: Category;
  /** What the rule looks at, in one or two sentences (the catalog's "checks" column). */
  checks: string;
  rationale: string;
  remediation: string;
  /** Whether `--fix` can repair it without a number or a name only the user knows. */
  fixable: boolean;
  /** Rules off by default are enabled by `.slipway-check.yaml` (e.g. digest pinning). */
  enabledByDefault: boolean;
  /** For Pod Security Standards rules: the level and upstream check ID. */
  pss?: { level: 'baseline' | 'restricted'; checkId: string; overrides?: string };
  /** The rule as CEL for admission; absent when it cannot be judged from one object (see admissionGap). */
  admission?: AdmissionCheck;
  /** Set by setRule: the rule reads several objects of the input at once. */
  crossObject?: boolean;
}

/**
 * How a rule is enforced at admission (`slipway policy export`): one CEL expression over the object
 * being admitted, in the Kubernetes ValidatingAdmissionPolicy dialect, true when the object passes.
 * Workload rules read the pod template through `variables.podSpec`, `variables.podMeta`,
 * `variables.containers` (init containers and containers) and `variables.allContainers` (plus
 * ephemeral containers); a rule with options reads them as `variables.params.<option>`.
 */
export interface AdmissionCheck {
  /** `workloads`: every kind with a pod template (workloads.ts); else the kinds by name. */
  kinds: 'workloads' | readonly string[];
  expression: string;
  /** The refusal message (Kubernetes shows it after `denied request: `). */
  message: string;
  params?: ReadonlyArray<'allowedRegistries'>;
}

export interface Rule extends RuleMeta {
  run(ctx: RuleContext): Violation[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  category: Category;
  file: string;
  line: number;
  column: number;
  object: { apiVersion: string; kind: string; namespace?: string; name: string };
  container?: string;
  /** Set for findings on objects rendered from slipway.yaml: which environment. */
  environment?: string;
  message: string;
  /** Dotted path of the field the finding is about (`spec.template.spec.containers[0].resources`). */
  field: string;
  fixable: boolean;
}
