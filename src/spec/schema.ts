/**
 * The slipway.yaml schema, written once: the TypeScript types, the validation and the JSON Schema
 * (`slipway schema`) all come from here. Objects are strict, so an unknown key is an error.
 */
import { z } from '#zod';
import { deferred, deferredOverlayShape, once } from './deep-partial.js';

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Kubernetes resource.Quantity, as the apiserver accepts it (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/). */
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;
const DURATION = /^(\d+(ms|s|m|h))+$/;
/**
 * Environment variable names as the API server accepts them. Every version takes
 * `[-._a-zA-Z][-._a-zA-Z0-9]*` (apimachinery IsEnvVarName); since RelaxedEnvironmentVariableValidation
 * (beta, on by default, in 1.32) any printable ASCII but `=`. The schema admits the relaxed set;
 * the semantic check holds a spec to the classic one unless its kubernetes.version is 1.32 or later.
 */
export const RELAXED_ENV_NAME = /^[\x20-\x3c\x3e-\x7e]+$/;
export const CLASSIC_ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** Secret names are also keys of the service's Secret, so they keep the classic rule on every version. */
const SECRET_ENV_NAME = /^(?!\.\.)(?!\.$)[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export const name = () =>
  z.string().regex(DNS_LABEL, {
    message:
      'expected a lower-case DNS label (a-z, 0-9 and -, starting with a letter, at most 63 characters)',
  });
export const quantity = () =>
  z.string().regex(QUANTITY, { message: 'expected a Kubernetes quantity such as 512Mi, 1Gi or 500m' });
export const cpu = () =>
  z.union([z.number().positive(), quantity()]).describe('CPU cores: a number (0.5) or a quantity (500m)');
export const duration = () =>
  z.string().regex(DURATION, { message: 'expected a duration such as 30s, 5m or 1h30m' });
const PORT_MESSAGE = { error: 'expected a number from 1 to 65535' };
/** A regex rather than startsWith: zod exports startsWith as a non-standard JSON Schema format. */
const absolutePath = () => z.string().regex(/^\//, { error: 'expected a path starting with /' });
const port = () =>
  z
    .number(PORT_MESSAGE)
    .int(PORT_MESSAGE)
    .min(1, PORT_MESSAGE)
    .max(65535, PORT_MESSAGE)
    .describe('a TCP port from 1 to 65535');
const cron = () =>
  z.string().regex(/^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/, {
    message: 'expected a cron schedule with five fields ("0 2 * * *") or @daily/@hourly/...',
  });

export const ProbeSchema = z
  .strictObject({
    http: absolutePath().optional().describe('HTTP GET path; 2xx/3xx is healthy'),
    tcp: z.literal(true).optional().describe('a TCP connect to the port'),
    exec: z.array(z.string()).min(1).optional().describe('a command run in the container; exit 0 is healthy'),
    port: port().optional().describe('defaults to the service port'),
    initialDelay: duration().optional(),
    period: duration().optional(),
    timeout: duration().optional(),
    failureThreshold: z.number().int().min(1).optional(),
    successThreshold: z.number().int().min(1).optional(),
  })
  .describe('A health check: exactly one of http, tcp or exec');

/** A string is shorthand for an HTTP check of that path. */
export const HealthCheckSchema = z.union([absolutePath(), ProbeSchema]);

export const HealthSchema = z.strictObject({
  readiness: HealthCheckSchema.optional(),
  liveness: HealthCheckSchema.optional(),
  startup: HealthCheckSchema.optional(),
});

export const ResourcesSchema = z.strictObject({
  cpu: cpu().optional().describe('CPU request'),
  memory: quantity().optional().describe('memory request (and limit unless limits.memory is set)'),
  ephemeralStorage: quantity().optional(),
  limits: z
    .strictObject({
      cpu: cpu().optional(),
      memory: quantity().optional(),
      ephemeralStorage: quantity().optional(),
    })
    .optional()
    .describe('defaults: memory limit = memory request; cpu limit = 2 x cpu request'),
});

export const VolumeSchema = z.strictObject({
  name: name(),
  path: absolutePath(),
  size: quantity(),
  accessMode: z.enum(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany', 'ReadOnlyMany']).optional(),
  storageClass: z.string().optional(),
  /** Several replicas writing the same volume need ReadWriteMany; otherwise the service becomes a StatefulSet. */
  shared: z.boolean().optional(),
  owner: z
    .strictObject({ uid: z.number().int().min(0), gid: z.number().int().min(0) })
    .optional()
    .describe('file ownership on the volume, for non-root processes that write to it'),
});

/** Issue 20: who makes a TLS Secret (cert-manager) — per public host, or app-wide under kubernetes.tls. */
const issuerKind = () =>
  z
    .enum(['ClusterIssuer', 'Issuer'])
    .optional()
    .describe(
      'the kind of the cert-manager issuer: ClusterIssuer (default; annotation cert-manager.io/cluster-issuer) or Issuer of the app namespace (cert-manager.io/issuer)',
    );

export const PublicSchema = z.strictObject({
  host: z.string().min(1),
  path: absolutePath().optional(),
  tls: z
    .union([
      z.boolean(),
      z.strictObject({
        secretName: z
          .string()
          .optional()
          .describe(
            'the TLS Secret: an existing one, or the one the issuer fills (default <app>-<service>-tls)',
          ),
        issuer: z
          .string()
          .optional()
          .describe('the cert-manager issuer that creates the Secret (default kubernetes.tls.issuer)'),
        issuerKind: issuerKind(),
      }),
    ])
    .optional()
    .describe(
      'HTTPS on the host: true needs an issuer (here or kubernetes.tls.issuer), or secretName of an existing Secret',
    ),
  port: port().optional().describe('which service port to expose; defaults to the main one'),
});

export const RelaxSchema = z.strictObject({
  rule: z.enum([
    'readOnlyRootFilesystem',
    'runAsNonRoot',
    'allowPrivilegeEscalation',
    'capabilities',
    'seccomp',
  ]),
  reason: z
    .string()
    .min(10, { message: 'say why (at least 10 characters); a relaxation without a reason is refused' }),
  capabilities: z.array(z.string()).optional(),
});

export const SecuritySchema = z.strictObject({
  runAsUser: z.number().int().min(1).optional(),
  runAsGroup: z.number().int().min(1).optional(),
  fsGroup: z.number().int().min(1).optional(),
  relax: z.array(RelaxSchema).optional().describe('explicit, reasoned exceptions to the secure defaults'),
});

export const PortSchema = z.strictObject({
  name: name(),
  port: port(),
  protocol: z.enum(['TCP', 'UDP']).optional(),
});

export const ConfigFileSchema = z.strictObject({
  path: absolutePath().describe('where the file appears in the container'),
  content: z.string().optional(),
  from: z.string().optional().describe('a file in the repository, relative to slipway.yaml'),
});

export const AutoscaleSchema = z.strictObject({
  min: z.number().int().min(1),
  max: z.number().int().min(1),
  cpu: z.number().int().min(1).max(100).optional().describe('target average CPU utilisation, percent'),
  memory: z.number().int().min(1).max(100).optional().describe('target average memory utilisation, percent'),
});

export const MigrationsSchema = z.strictObject({
  command: z.array(z.string()).min(1),
  image: z.string().optional().describe("defaults to the service's image"),
  timeout: duration().optional(),
  backoffLimit: z.number().int().min(0).optional(),
});

export const PlacementSchema = z.strictObject({
  nodeSelector: z.record(z.string(), z.string()).optional(),
  tolerations: z
    .array(
      z.strictObject({
        key: z.string().optional(),
        operator: z.enum(['Exists', 'Equal']).optional(),
        value: z.string().optional(),
        effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
      }),
    )
    .optional(),
  spread: z
    .enum(['preferred', 'required', 'none'])
    .optional()
    .describe('topology spread across nodes and zones'),
});

export const BuildSchema = z.strictObject({
  context: z.string(),
  dockerfile: z.string().optional(),
  language: z
    .enum(['go', 'node', 'python', 'java', 'rust', 'other'])
    .optional()
    .describe('detected when omitted'),
  platforms: z.array(z.string()).optional().describe('default linux/amd64 and linux/arm64'),
});

export const EnvValueSchema = z.union([z.string(), z.number(), z.boolean()]);

export const ServiceSchema = z.strictObject({
  image: z.string().min(1).optional().describe('repository[:tag]; the tag defaults to the release version'),
  build: BuildSchema.optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  port: port().optional().describe('the main port; shorthand for ports: [{name: http, port}]'),
  ports: z.array(PortSchema).optional(),
  health: HealthSchema.optional(),
  metrics: z
    .strictObject({
      port: port().describe('the port Prometheus scrapes (the main port, or one of its own, named metrics)'),
      path: absolutePath().optional().describe('default /metrics'),
    })
    .optional()
    .describe(
      'the service exposes Prometheus metrics: render adds a ServiceMonitor and a PrometheusRule (Prometheus Operator)',
    ),
  env: z
    .record(
      z.string().regex(RELAXED_ENV_NAME, {
        message: 'expected an environment variable name (printable ASCII, without =)',
      }),
      EnvValueSchema,
    )
    .optional(),
  secrets: z
    .array(
      z.string().regex(SECRET_ENV_NAME, {
        message:
          'expected an environment variable name that is also a Secret key (letters, digits, _, - and ., not starting with a digit)',
      }),
    )
    .optional(),
  config: z.array(ConfigFileSchema).optional(),
  resources: ResourcesSchema.optional(),
  replicas: z.number().int().min(0).optional(),
  autoscale: AutoscaleSchema.optional(),
  volumes: z.array(VolumeSchema).optional(),
  public: PublicSchema.optional(),
  schedule: cron()
    .optional()
    .describe('run as a CronJob on this schedule instead of a long-running workload'),
  migrations: MigrationsSchema.optional(),
  placement: PlacementSchema.optional(),
  security: SecuritySchema.optional(),
  terminationGracePeriod: duration().optional(),
  strategy: z
    .enum(['rolling'])
    .optional()
    .describe(
      'roll this service in place whatever deploy.strategy says; a service that owns a volume (a StatefulSet) needs it under a canary or blue-green deploy',
    ),
  // Issue 17: the service's own cloud identity (IRSA, GKE Workload Identity, Azure workload identity).
  cloud: z
    .strictObject({
      roles: z
        .array(z.string().min(1))
        .optional()
        .describe(
          'what the identity may do, in the words of infrastructure.provider: IAM policy ARNs (aws), IAM roles such as roles/storage.objectViewer (gcp); on azure grant roles to the <service>_identity_principal_id output',
        ),
      identity: z
        .string()
        .regex(
          /^(arn:aws[a-z-]*:iam::\d{12}:role\/.+|[a-z][-a-z0-9]{4,28}[a-z0-9]@[-a-z0-9.]+\.iam\.gserviceaccount\.com|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i,
          'expected an IAM role ARN (arn:aws:iam::123456789012:role/name), a Google service account email (name@project.iam.gserviceaccount.com) or an Azure client id (a GUID)',
        )
        .optional()
        .describe(
          'the cloud identity the ServiceAccount stands for (IAM role ARN, Google service account email or Azure client id); deploy --infra-outputs sets it from <service>_identity',
        ),
    })
    .optional()
    .describe(
      'the service calls cloud APIs: render --format terraform writes an identity trusted for exactly its ServiceAccount, and its ServiceAccount is annotated with it',
    ),
});

const ConditionSchema = z.strictObject({
  max: z.number().optional(),
  min: z.number().optional(),
});

/** `[http:|https:]namespace/name:port`: a Service reached through the API server's service proxy. */
const serviceRef = () =>
  z
    .string()
    .regex(
      /^(?:https?:)?[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
      {
        message: 'expected [http:|https:]NAMESPACE/SERVICE:PORT, e.g. monitoring/prometheus:9090',
      },
    );

/** Where Prometheus answers: a URL, or a Service queried through the API server's service proxy. */
export const PrometheusTargetSchema = z.strictObject({
  address: z
    .string()
    .optional()
    .describe('a URL the deployer reaches directly, e.g. https://prometheus.example.com'),
  service: serviceRef()
    .optional()
    .describe(
      "NAMESPACE/SERVICE:PORT of an in-cluster Prometheus, queried through the Kubernetes API server with the deployer's credentials (no extra network path from a CI runner)",
    ),
});

export const AnalysisSchema = z.strictObject({
  prometheus: z.strictObject({ query: z.string().min(1), ...PrometheusTargetSchema.shape }).optional(),
  http: z
    .strictObject({
      url: z.string().min(1),
      status: z.number().int().optional(),
      body: z.string().optional(),
      maxLatency: duration().optional(),
    })
    .optional(),
  job: z.strictObject({ image: z.string(), command: z.array(z.string()).optional() }).optional(),
  max: z.number().optional().describe('success when the measured value is at most this'),
  min: z.number().optional().describe('success when the measured value is at least this'),
  successCondition: ConditionSchema.optional(),
  initialDelay: duration()
    .optional()
    .describe('wait this long before the first measurement (a new version has no metrics yet)'),
  interval: duration().optional(),
  count: z.number().int().min(1).optional(),
  failureLimit: z.number().int().min(0).optional(),
  inconclusiveLimit: z.number().int().min(0).optional(),
  noData: z
    .enum(['inconclusive', 'pass', 'fail'])
    .optional()
    .describe('what an empty result means (default inconclusive)'),
  phase: z.enum(['pre-promotion', 'post-promotion', 'step', 'background']).optional(),
});

export const CanaryStepSchema = z.union([
  z.strictObject({ weight: z.number().int().min(0).max(100) }),
  z.strictObject({ pause: z.union([duration(), z.strictObject({})]) }),
  z.strictObject({ analysis: z.array(z.string()).min(1) }),
]);

export const DeploySchema = z.strictObject({
  strategy: z.enum(['rolling', 'blue-green', 'canary']).optional(),
  timeout: duration().optional(),
  progressDeadline: duration().optional(),
  minReady: duration()
    .optional()
    .describe(
      'how long a new pod must stay ready, with no container restart, before it counts as available (the minReadySeconds of each Deployment and StatefulSet): a rollout completes, and a blue-green switch happens, only on such pods (default 0)',
    ),
  failuresAllowedPerReplica: z
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .describe(
      'restarts or failed image pulls a new pod may have before the deploy stops waiting and rolls back (default 2)',
    ),
  scaleDownDelay: duration()
    .optional()
    .describe('how long the previous version stays warm after a switch (default 30s)'),
  postPromotionWindow: duration().optional(),
  autoPromote: z.boolean().optional(),
  canary: z
    .strictObject({
      steps: z.array(CanaryStepSchema).min(1),
      traffic: z.enum(['replicas', 'gateway', 'nginx']).optional(),
    })
    .optional(),
  analysis: z.record(name(), AnalysisSchema).optional(),
  prometheus: PrometheusTargetSchema.optional().describe(
    'the Prometheus every analysis queries unless it names its own; its namespace may scrape ports named metrics',
  ),
});

/**
 * The sections most specs leave out (dependencies, backups, kubernetes, infrastructure, ci, drift,
 * secrets), built on first use: by a parse of a spec that has one, or by the JSON Schema. Building
 * every zod schema at module load was the largest part of `slipway validate`'s start-up.
 */
export const rareSections = once(() => {
  const ExternalSchema = z.strictObject({
    secret: z.string().min(1).describe('a Secret holding the connection details'),
    key: z.string().optional().describe('the key holding the URL (default: url)'),
  });

  const SubchartSchema = z.strictObject({
    version: z.string().min(1).describe('the chart version, pinned (e.g. "16.7.4")'),
    repository: z
      .string()
      .min(1)
      .optional()
      .describe('where the chart is (default: oci://registry-1.docker.io/bitnamicharts, the Bitnami chart)'),
  });

  const OperatorSchema = z.strictObject({
    instances: z.number().int().min(1).optional().describe('PostgreSQL instances of the Cluster (default 1)'),
  });

  const DependencySchema = z.strictObject({
    type: z.enum(['postgres', 'mysql', 'redis', 'kafka', 'chromadb', 'sqlite']),
    provider: z
      .enum(['statefulset', 'chart', 'operator', 'external'])
      .optional()
      .describe(
        "who runs it: statefulset (Slipway's own, the default), chart (a Helm subchart), operator (a CloudNativePG Cluster, postgres only), external (a managed service: external: names its Secret)",
      ),
    chart: SubchartSchema.optional().describe('provider: chart: the pinned subchart'),
    operator: OperatorSchema.optional().describe('provider: operator: the CloudNativePG Cluster'),
    version: z.string().optional(),
    storage: quantity().optional(),
    storageClass: z.string().optional(),
    resources: ResourcesSchema.optional(),
    external: ExternalSchema.optional().describe('use an existing server; only its Secret is referenced'),
    database: z.string().optional().describe('database name (postgres, mysql)'),
    /** sqlite lives in a service's volume: which service and volume, and the file in it. */
    service: z.string().optional(),
    volume: z.string().optional(),
    file: z.string().optional(),
    managed: z
      .boolean()
      .optional()
      .describe(
        'run it as the cloud provider’s managed service (infrastructure.provider): `render --format terraform` creates it (postgres, mysql, redis)',
      ),
  });

  /** `s3://bucket[/prefix]`: the bucket name as S3 accepts it (3-63 of a-z, 0-9, `.` and `-`). */
  const S3_URL = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s/][^\s]*)?\/?$/;

  const S3Schema = z.strictObject({
    secret: name()
      .optional()
      .describe(
        "a Secret of the app's namespace holding AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; omit it to use the pod's workload identity (IRSA) or the node's role",
      ),
    endpoint: z
      .string()
      .regex(/^https?:\/\/[^\s/]+(:\d+)?\/?$/, {
        message: 'expected http(s)://host[:port] of an S3-compatible server',
      })
      .optional()
      .describe('an S3-compatible server (MinIO, Ceph, R2, ...); omit it for AWS S3'),
    region: z.string().min(1).optional().describe('the bucket region (AWS S3)'),
  });

  const BackupSchema = z.strictObject({
    schedule: cron(),
    keep: z.number().int().min(1).describe('how many backups to keep; the oldest beyond this are deleted'),
    to: z
      .string()
      .regex(S3_URL, {
        message:
          'expected s3://bucket[/prefix] (a bucket name of 3 to 63 a-z, 0-9, . and -); omit to: to keep backups on a volume',
      })
      .optional()
      .describe(
        "where backups go: s3://bucket/prefix (each environment's dependency under <prefix>/<namespace>/<dependency>/), or, when omitted, a PersistentVolumeClaim in the namespace",
      ),
    s3: S3Schema.optional().describe('how to reach the bucket of an s3:// destination'),
    storage: quantity()
      .optional()
      .describe(
        'size of the backups volume, or with an s3:// destination of the scratch space a dump is written to before its upload (default 10Gi)',
      ),
    rto: duration()
      .optional()
      .describe(
        'recovery time objective: `slipway backup drill` fails when restoring and verifying takes longer',
      ),
    rpo: duration()
      .optional()
      .describe('recovery point objective: `slipway backup drill` fails when the newest backup is older'),
    verify: z
      .string()
      .min(1)
      .optional()
      .describe(
        'a shell command run after a restore against the restored copy (the same environment as the restore); it must exit 0',
      ),
  });

  const PodSecurityLevel = z.enum(['privileged', 'baseline', 'restricted']);

  const KubernetesSchema = z.strictObject({
    version: z
      .string()
      .regex(/^1\.\d+$/, { message: 'expected a Kubernetes minor version such as 1.33' })
      .optional(),
    ingress: z.enum(['ingress', 'gateway']).optional(),
    ingressClass: z
      .string()
      .optional()
      .describe('the IngressClass of public hosts (default: the cluster default class)'),
    // Issue 20: the controller's namespace, TLS issuer and Pod Security Admission levels.
    ingressNamespace: name()
      .optional()
      .describe(
        "the ingress controller's namespace, which NetworkPolicies admit to public services (default ingress-nginx)",
      ),
    tls: z
      .strictObject({ issuer: z.string().min(1), issuerKind: issuerKind() })
      .optional()
      .describe('the cert-manager issuer of every public host with tls: true'),
    podSecurity: z
      .strictObject({
        enforce: PodSecurityLevel.optional().describe(
          'default restricted when every rendered workload meets it, else baseline',
        ),
        audit: PodSecurityLevel.optional().describe('default restricted'),
        warn: PodSecurityLevel.optional().describe('default restricted'),
        version: z
          .string()
          .regex(/^(latest|v1\.\d+)$/, { message: 'expected latest or a minor version such as v1.33' })
          .optional()
          .describe('the policy version the levels mean (default: kubernetes.version as v1.x, else latest)'),
      })
      .optional()
      .describe('Pod Security Admission labels on the namespace (pod-security.kubernetes.io/*)'),
    gateway: z.strictObject({ name: z.string(), namespace: z.string().optional() }).optional(),
    clusterDomain: z.string().optional(),
  });

  /** Where the environment's cloud resources live, for `render --format terraform`. */
  const InfrastructureSchema = z.strictObject({
    provider: z
      .enum(['aws', 'gcp', 'azure'])
      .describe('the cloud whose managed services and storage are used'),
    region: z
      .string()
      .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, {
        message: 'expected a cloud region name such as eu-west-1, europe-west1 or westeurope',
      })
      .describe('e.g. eu-west-1 (aws), europe-west1 (gcp), westeurope (azure)'),
    project: z.string().min(1).optional().describe('gcp: the project id (default: a variable of the module)'),
    dnsZone: z
      .string()
      .min(1)
      .optional()
      .describe(
        'the DNS zone public hosts are published in (default: the longest common suffix of the hosts)',
      ),
    // Issue 17: where Terraform keeps its state (the backend block of every root module).
    state: z
      .strictObject({
        backend: z.enum(['s3', 'gcs', 'azurerm']),
        bucket: z.string().min(3).optional().describe('s3, gcs: the bucket'),
        region: z.string().min(1).optional().describe('s3: default infrastructure.region'),
        dynamodbTable: z
          .string()
          .min(1)
          .optional()
          .describe('s3: lock in this DynamoDB table instead of a lock file (use_lockfile, Terraform 1.10+)'),
        kmsKeyId: z.string().min(1).optional().describe('s3: the KMS key that encrypts the state'),
        resourceGroup: z.string().min(1).optional().describe('azurerm'),
        storageAccount: z.string().min(3).optional().describe('azurerm'),
        container: z.string().min(3).optional().describe('azurerm'),
      })
      .superRefine((state, ctx) => {
        const needs: Record<string, readonly string[]> = {
          s3: ['bucket'],
          gcs: ['bucket'],
          azurerm: ['resourceGroup', 'storageAccount', 'container'],
        };
        const only: Record<string, readonly string[]> = {
          s3: ['bucket', 'region', 'dynamodbTable', 'kmsKeyId'],
          gcs: ['bucket'],
          azurerm: ['resourceGroup', 'storageAccount', 'container'],
        };
        for (const key of needs[state.backend]!)
          if ((state as Record<string, unknown>)[key] === undefined)
            ctx.addIssue({ code: 'custom', path: [], message: `backend ${state.backend} needs ${key}` });
        for (const key of Object.keys(state))
          if (key !== 'backend' && !only[state.backend]!.includes(key))
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `${key} is not an option of backend ${state.backend}`,
            });
      })
      .optional()
      .describe(
        'where Terraform keeps state: s3 (locked by a lock file or DynamoDB), gcs or azurerm (both lock natively); each root gets key <app>/<environment or shared>',
      ),
  });

  /** `runs-on` of a workflow job: one runner label, or labels a runner must all have. */
  const RunnerLabelsSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

  /** Quality gates and runners of the generated CI (`render --format workflows`). */
  const CiSchema = z.strictObject({
    runner: z
      .union([
        RunnerLabelsSchema,
        z.strictObject({
          default: RunnerLabelsSchema.optional().describe(
            'every job not named below (default ubuntu-latest)',
          ),
          build: RunnerLabelsSchema.optional().describe('lint, test, CodeQL and image builds'),
          deploy: RunnerLabelsSchema.optional().describe(
            'jobs that reach the cluster: deploy, smoke, promote, drift, drill, backups, infra',
          ),
        }),
      ])
      .optional()
      .describe('runs-on of every rendered job, e.g. [self-hosted, linux, x64]; or per kind of job'),
    chart: z
      .union([
        z.string().regex(/^oci:\/\/[^/\s]+(\/[^\s]*)?$/, { message: 'expected oci://HOST/PATH' }),
        z.literal(false),
      ])
      .optional()
      .describe(
        'where version tags push the Helm chart, e.g. oci://ghcr.io/acme/charts (default oci://REGISTRY/charts; false: none)',
      ),
    coverage: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('fail CI when line coverage of a service is below this percentage (go, python, node)'),
    sast: z.boolean().optional().describe("run CodeQL on every service's language and upload its findings"),
    policyTests: z
      .string()
      .min(1)
      .optional()
      .describe(
        'directory of policy fixtures next to slipway.yaml that CI judges with `slipway policy test` (default policy-tests, when it exists)',
      ),
    scan: z
      .strictObject({
        severity: z
          .array(z.enum(['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']))
          .min(1)
          .optional()
          .describe('image vulnerabilities of these severities fail the build (default CRITICAL)'),
        unfixed: z
          .enum(['fail', 'ignore'])
          .optional()
          .describe('whether a vulnerability with no fixed version yet fails the build (default ignore)'),
      })
      .optional(),
  });

  /** Fields `slipway drift` does not report and deploys do not revert (changed on purpose outside Slipway). */
  const DriftIgnoreSchema = z.strictObject({
    kind: z.string().min(1).describe('the object kind, e.g. Deployment'),
    name: z
      .string()
      .min(1)
      .optional()
      .describe('the object name; `*` matches any run of characters (default: every object of the kind)'),
    path: z
      .string()
      .regex(/^(\/([^~/]|~[01])*)+$/, {
        message: 'expected a JSON pointer (RFC 6901) such as /spec/replicas',
      })
      .describe(
        'a JSON pointer (RFC 6901) to the field, e.g. /spec/template/spec/containers/0/resources; the field and everything under it',
      ),
  });

  const DriftSchema = z.strictObject({
    ignore: z
      .array(DriftIgnoreSchema)
      .optional()
      .describe(
        'fields slipway drift never reports and slipway deploy never reverts: a deploy applies the live value instead (objects are still created with the rendered value)',
      ),
  });

  /** Where the values of services' `secrets:` come from (docs/secrets.md). */
  const SecretsSchema = z.strictObject({
    store: z
      .enum(['sops', 'vault', 'aws', 'gcp'])
      .optional()
      .describe(
        'sops (default): the encrypted file in the repo, applied by the deploy; vault, aws, gcp: External Secrets Operator objects that fetch them in the cluster',
      ),
    file: z
      .string()
      .regex(/\{env\}/, 'must contain {env}: each environment has its own file')
      .refine((f) => !f.startsWith('/') && !f.split('/').includes('..'), 'a path inside the spec folder')
      .optional()
      .describe(
        'store sops: the file per environment, relative to slipway.yaml (default secrets/{env}.yaml)',
      ),
    key: z
      .string()
      .optional()
      .describe(
        'vault, aws, gcp: the secret in the store holding the values, one property per name; {app} and {env} are replaced (default {app}/{env}, for gcp {app}-{env})',
      ),
    refreshInterval: duration()
      .optional()
      .describe('vault, aws, gcp: how often the operator reads the store again (default 1h)'),
    vault: z
      .strictObject({
        server: z.string().describe('https://vault.example.com:8200'),
        mount: z.string().optional().describe('the KV engine mount (default secret)'),
        version: z.enum(['v1', 'v2']).optional().describe('the KV engine version (default v2)'),
        role: z.string().optional().describe('the Kubernetes auth role (default the app name)'),
        authMount: z
          .string()
          .optional()
          .describe('where the Kubernetes auth method is mounted (default kubernetes)'),
        namespace: z.string().optional().describe('Vault Enterprise namespace'),
      })
      .optional(),
    aws: z
      .strictObject({
        region: z.string().describe('the region of Secrets Manager'),
        roleArn: z
          .string()
          .optional()
          .describe("IAM role the operator's service account assumes (IRSA annotation on it)"),
      })
      .optional(),
    gcp: z
      .strictObject({
        project: z.string().describe('the project of Secret Manager'),
        serviceAccount: z
          .string()
          .optional()
          .describe('Google service account bound by Workload Identity (annotation on the Kubernetes one)'),
      })
      .optional(),
  });
  return {
    DependencySchema,
    S3Schema,
    BackupSchema,
    KubernetesSchema,
    InfrastructureSchema,
    CiSchema,
    DriftIgnoreSchema,
    DriftSchema,
    SecretsSchema,
  };
});

/** Everything an environment may override, and what the top level holds besides. */
const body = {
  version: z.string().optional().describe('the app version; images default to this tag'),
  team: z.string().optional(),
  repository: z.string().optional(),
  description: z.string().optional(),
  registry: z.string().optional().describe('where images are pushed, e.g. ghcr.io/acme'),
  imagePullSecrets: z
    .array(name())
    .optional()
    .describe('Secrets (type kubernetes.io/dockerconfigjson) for a private registry, on every pod spec'),
  namespace: name().optional(),
  kubernetes: deferred(() => rareSections().KubernetesSchema).optional(),
  services: z.record(name(), ServiceSchema),
  dependencies: deferred(() => z.record(name(), rareSections().DependencySchema)).optional(),
  deploy: DeploySchema.optional(),
  backups: deferred(() => z.record(name(), rareSections().BackupSchema)).optional(),
  ci: deferred(() => rareSections().CiSchema).optional(),
  infrastructure: deferred(() => rareSections().InfrastructureSchema).optional(),
  drift: deferred(() => rareSections().DriftSchema).optional(),
  secrets: deferred(() => rareSections().SecretsSchema).optional(),
};

/** What only an environment sets, besides overriding the body. */
const environmentOnly = {
  replicas: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('replicas of every long-running service unless it sets its own'),
  approval: z
    .enum(['required', 'none'])
    .optional()
    .describe('production-like environments wait for an approval before deploying'),
  domain: z.string().optional().describe('base domain of this environment'),
};

const BodySchema = z.strictObject(body);

/**
 * An environment overlays the body: every field optional at every depth, `null` removes a key,
 * lists keyed by `name` (volumes, ports) merge item by item; see docs/spec.md for the rules.
 */
export const EnvironmentSchema = z
  .strictObject({
    ...environmentOnly,
    ...deferredOverlayShape(BodySchema),
  })
  .describe(
    'Overrides for one environment: maps deep-merge, scalars and lists replace (lists keyed by name merge by name), null removes',
  );

export const AppSchema = z.strictObject({
  $schema: z.string().optional(),
  app: name().describe('the application name'),
  ...body,
  environments: z.record(name(), EnvironmentSchema).optional(),
});

type RareSections = ReturnType<typeof rareSections>;
export type App = z.infer<typeof AppSchema>;
export type Service = z.infer<typeof ServiceSchema>;
export type Dependency = z.infer<RareSections['DependencySchema']>;
export type Probe = z.infer<typeof ProbeSchema>;
export type HealthCheck = z.infer<typeof HealthCheckSchema>;
export type Volume = z.infer<typeof VolumeSchema>;
export type Deploy = z.infer<typeof DeploySchema>;
export type Analysis = z.infer<typeof AnalysisSchema>;
export type Backup = z.infer<RareSections['BackupSchema']>;
export type Infrastructure = z.infer<RareSections['InfrastructureSchema']>;
export type DriftIgnore = z.infer<RareSections['DriftIgnoreSchema']>;
export type Secrets = z.infer<RareSections['SecretsSchema']>;
/** An overlay: any part of the body, at any depth; `null` removes what the body set. */
export type Overlay<T> = T extends readonly (infer U)[]
  ? U extends { name: string }
    ? Array<{ name: string } & { [K in keyof U]?: Overlay<U[K]> | null }>
    : T
  : T extends object
    ? { [K in keyof T]?: Overlay<T[K]> | null }
    : T;
export type Body = z.infer<typeof BodySchema>;
export type Environment = {
  replicas?: number;
  approval?: 'required' | 'none';
  domain?: string;
} & Overlay<Body>;
export type Resources = z.infer<typeof ResourcesSchema>;
