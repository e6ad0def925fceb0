import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHcl } from '../../src/cli/hcl.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { check, DEFAULT_KUBE_VERSION } from '../../src/policy/engine.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { parseTerraform, parseTfvars } from '../../src/policy/load/terraform.js';
import { isExpression, underExpression } from '../../src/policy/load/terraform-values.js';
import { kubernetesObjects, moduleInstances } from '../../src/policy/load/terraform-kubernetes.js';
import { parse as hashicorpParse } from '@cdktf/hcl2json';
import { PSS_LATEST } from '../../src/policy/pss/version.js';
import type { Manifest } from '../../src/policy/types.js';
import type { JsonReport } from '../../src/policy/report/json.js';
import { toYaml } from '../../src/render/yaml.js';

/**
 * The Kubernetes objects hashicorp/kubernetes resources create, judged by the Kubernetes rules:
 * each kind compared with the object written in YAML, findings placed at the Terraform argument,
 * and values that are Terraform expressions left unjudged.
 */

async function declared(hcl: string, file = 'main.tf'): Promise<Manifest[]> {
  const parsed = parseTerraform(hcl, file, await loadHcl(), { module: '.', production: false });
  expect(parsed.problems).toEqual([]);
  return parsed.manifests.filter((m) => m.declaredBy);
}

/**
 * A Deployment per element of `forEach`, named each.key, its `image` and `replicas` HCL expressions,
 * `extra` HCL after it. Findings' line:column in the tests depend on this text: keep its lines.
 */
function deploymentPerKey(forEach: string, image: string, replicas: string, extra = ''): string {
  return `
resource "kubernetes_deployment_v1" "app" {
  for_each = ${forEach}
  metadata {
    name      = each.key
    namespace = "shop"
  }
  spec {
    replicas = ${replicas}
    selector {
      match_labels = { app = each.key }
    }
    template {
      metadata {
        labels = { app = each.key }
      }
      spec {
        container {
          name  = each.key
          image = ${image}
        }
      }
    }
  }
}
${extra}`;
}

/** Each declared object as `<resource address> <object name>`. */
const addresses = (objects: Manifest[]) => objects.map((m) => `${m.declaredBy!.name} ${m.ref.name}`);

function yamlObject(yaml: string): Record<string, unknown> {
  const parsed = parseManifests(yaml, 'expected.yaml');
  expect(parsed.problems).toEqual([]);
  return parsed.manifests[0]!.body;
}

const options = { kubeVersion: DEFAULT_KUBE_VERSION, pssVersion: PSS_LATEST };

/**
 * A one-container Deployment "web" (app=web) in `namespace`, with `replicas` and `image` as HCL
 * expressions (variables by default) and `container` added to its container block.
 */
function webDeployment(
  namespace: string,
  { replicas = 'var.replicas', image = 'var.image', container = '' } = {},
): string {
  return `resource "kubernetes_deployment_v1" "web" {
  metadata {
    name      = "web"
    namespace = ${namespace}
  }
  spec {
    replicas = ${replicas}
    selector {
      match_labels = { app = "web" }
    }
    template {
      metadata {
        labels = { app = "web" }
      }
      spec {
        container {
          name  = "web"
          image = ${image}${container}
        }
      }
    }
  }
}`;
}

/** Each kind as HCL and as the YAML of the object the provider creates from it. */
const KINDS: Array<{ type: string; hcl: string; yaml: string }> = [
  {
    type: 'kubernetes_role_v1',
    hcl: `
      metadata {
        name      = "reader"
        namespace = "shop"
        labels    = { "app.kubernetes.io/name" = "shop" }
      }
      rule {
        api_groups     = [""]
        resources      = ["configmaps"]
        resource_names = ["settings"]
        verbs          = ["get"]
      }
      rule {
        api_groups = ["apps"]
        resources  = ["deployments", "deployments/scale"]
        verbs      = ["get", "patch"]
      }`,
    yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
  namespace: shop
  labels: { app.kubernetes.io/name: shop }
rules:
  - apiGroups: [""]
    resources: [configmaps]
    resourceNames: [settings]
    verbs: [get]
  - apiGroups: [apps]
    resources: [deployments, deployments/scale]
    verbs: [get, patch]`,
  },
  {
    type: 'kubernetes_cluster_role_v1',
    hcl: `
      metadata { name = "metrics" }
      rule {
        non_resource_urls = ["/metrics"]
        verbs             = ["get"]
      }
      aggregation_rule {
        cluster_role_selectors {
          match_labels = { "rbac.example.com/aggregate-to-metrics" = "true" }
          match_expressions {
            key      = "tier"
            operator = "In"
            values   = ["a", "b"]
          }
        }
      }`,
    yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: metrics }
rules:
  - nonResourceURLs: [/metrics]
    verbs: [get]
aggregationRule:
  clusterRoleSelectors:
    - matchLabels: { rbac.example.com/aggregate-to-metrics: "true" }
      matchExpressions:
        - { key: tier, operator: In, values: [a, b] }`,
  },
  {
    type: 'kubernetes_role_binding_v1',
    hcl: `
      metadata {
        name      = "reader"
        namespace = "shop"
      }
      role_ref {
        api_group = "rbac.authorization.k8s.io"
        kind      = "Role"
        name      = "reader"
      }
      subject {
        kind      = "ServiceAccount"
        name      = "web"
        namespace = "shop"
      }
      subject {
        api_group = "rbac.authorization.k8s.io"
        kind      = "Group"
        name      = "ops"
      }`,
    yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: reader, namespace: shop }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader }
subjects:
  - { kind: ServiceAccount, name: web, namespace: shop }
  - { apiGroup: rbac.authorization.k8s.io, kind: Group, name: ops }`,
  },
  {
    type: 'kubernetes_cluster_role_binding_v1',
    hcl: `
      metadata { name = "metrics" }
      role_ref {
        api_group = "rbac.authorization.k8s.io"
        kind      = "ClusterRole"
        name      = "metrics"
      }
      subject {
        kind      = "ServiceAccount"
        name      = "prometheus"
        namespace = "monitoring"
      }`,
    yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: metrics }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metrics }
subjects:
  - { kind: ServiceAccount, name: prometheus, namespace: monitoring }`,
  },
  {
    type: 'kubernetes_service_account_v1',
    hcl: `
      metadata {
        name      = "web"
        namespace = "shop"
      }
      automount_service_account_token = false
      image_pull_secret { name = "registry" }
      secret { name = "web-token" }`,
    yaml: `
apiVersion: v1
kind: ServiceAccount
metadata: { name: web, namespace: shop }
automountServiceAccountToken: false
imagePullSecrets: [{ name: registry }]
secrets: [{ name: web-token }]`,
  },
  {
    type: 'kubernetes_namespace_v1',
    hcl: `
      metadata {
        name   = "shop"
        labels = { "pod-security.kubernetes.io/enforce" = "restricted" }
      }
      wait_for_default_service_account = true`,
    yaml: `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { pod-security.kubernetes.io/enforce: restricted }`,
  },
  {
    type: 'kubernetes_secret_v1',
    hcl: `
      metadata {
        name      = "db"
        namespace = "shop"
      }
      type = "Opaque"
      data = { password = "hunter2" }
      data_wo = { token = "abc" }
      data_wo_revision = 1
      binary_data = { "key.bin" = "AAEC" }
      immutable = true`,
    yaml: `
apiVersion: v1
kind: Secret
metadata: { name: db, namespace: shop }
type: Opaque
data: { password: aHVudGVyMg==, token: YWJj, key.bin: AAEC }
immutable: true`,
  },
  {
    type: 'kubernetes_config_map_v1',
    hcl: `
      metadata {
        name      = "settings"
        namespace = "shop"
      }
      data = { LOG_LEVEL = "info", "app.properties" = "a=1" }`,
    yaml: `
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: shop }
data: { LOG_LEVEL: info, app.properties: a=1 }`,
  },
];

const POD_HCL = `
        service_account_name            = "web"
        automount_service_account_token = false
        host_pid                        = false
        security_context {
          run_as_non_root = true
          run_as_user     = 10001
          fs_group        = 10001
          seccomp_profile { type = "RuntimeDefault" }
        }
        container {
          name  = "web"
          image = "ghcr.io/acme/web:1.2.3"
          args  = ["--port", "8080"]
          port {
            name           = "http"
            container_port = 8080
          }
          env {
            name  = "MODE"
            value = "prod"
          }
          env {
            name = "PASSWORD"
            value_from {
              secret_key_ref {
                name = "db"
                key  = "password"
              }
            }
          }
          resources {
            requests = { cpu = "100m", memory = "128Mi" }
            limits   = { memory = "256Mi" }
          }
          readiness_probe {
            http_get {
              path = "/ready"
              port = "8080"
            }
            period_seconds = 5
          }
          liveness_probe {
            tcp_socket { port = "http" }
          }
          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
            capabilities { drop = ["ALL"] }
          }
          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
        }
        volume {
          name = "tmp"
          empty_dir {}
        }
        volume {
          name = "config"
          secret {
            secret_name = "db"
            items {
              key  = "password"
              path = "password"
            }
          }
        }
        toleration {
          key      = "dedicated"
          operator = "Exists"
        }
        affinity {
          node_affinity {
            required_during_scheduling_ignored_during_execution {
              node_selector_term {
                match_expressions {
                  key      = "zone"
                  operator = "In"
                  values   = ["a"]
                }
              }
            }
          }
          pod_anti_affinity {
            required_during_scheduling_ignored_during_execution {
              topology_key = "kubernetes.io/hostname"
              label_selector {
                match_labels = { app = "web" }
              }
            }
          }
        }`;

const POD_YAML = `
      serviceAccountName: web
      automountServiceAccountToken: false
      hostPID: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        fsGroup: 10001
        seccompProfile: { type: RuntimeDefault }
      containers:
        - name: web
          image: ghcr.io/acme/web:1.2.3
          args: ["--port", "8080"]
          ports: [{ name: http, containerPort: 8080 }]
          env:
            - { name: MODE, value: prod }
            - name: PASSWORD
              valueFrom: { secretKeyRef: { name: db, key: password } }
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { memory: 256Mi }
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
            periodSeconds: 5
          livenessProbe:
            tcpSocket: { port: http }
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
          volumeMounts: [{ name: tmp, mountPath: /tmp }]
      volumes:
        - { name: tmp, emptyDir: {} }
        - name: config
          secret:
            secretName: db
            items: [{ key: password, path: password }]
      tolerations: [{ key: dedicated, operator: Exists }]
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions: [{ key: zone, operator: In, values: [a] }]
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - topologyKey: kubernetes.io/hostname
              labelSelector: { matchLabels: { app: web } }`;

const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);

KINDS.push(
  {
    type: 'kubernetes_deployment_v1',
    hcl: `
      metadata {
        name      = "web"
        namespace = "shop"
      }
      spec {
        replicas = "3"
        selector { match_labels = { app = "web" } }
        strategy {
          type = "RollingUpdate"
          rolling_update {
            max_surge       = "25%"
            max_unavailable = "0"
          }
        }
        template {
          metadata { labels = { app = "web" } }
          spec {${POD_HCL}
          }
        }
      }
      wait_for_rollout = false`,
    yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: 25%, maxUnavailable: 0 }
  template:
    metadata: { labels: { app: web } }
    spec:${POD_YAML}`,
  },
  {
    type: 'kubernetes_stateful_set_v1',
    hcl: `
      metadata {
        name      = "db"
        namespace = "shop"
      }
      spec {
        service_name = "db"
        replicas     = 1
        selector { match_labels = { app = "db" } }
        template {
          metadata { labels = { app = "db" } }
          spec {${POD_HCL}
          }
        }
        volume_claim_template {
          metadata { name = "data" }
          spec {
            access_modes = ["ReadWriteOnce"]
            resources {
              requests = { storage = "1Gi" }
            }
          }
        }
      }`,
    yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: shop }
spec:
  serviceName: db
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:${POD_YAML}
  volumeClaimTemplates:
    - metadata: { name: data }
      spec:
        accessModes: [ReadWriteOnce]
        resources: { requests: { storage: 1Gi } }`,
  },
  {
    type: 'kubernetes_daemon_set_v1',
    hcl: `
      metadata {
        name      = "agent"
        namespace = "shop"
      }
      spec {
        selector { match_labels = { app = "agent" } }
        template {
          metadata { labels = { app = "agent" } }
          spec {${POD_HCL}
          }
        }
      }`,
    yaml: `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: shop }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:${POD_YAML}`,
  },
  {
    type: 'kubernetes_job_v1',
    hcl: `
      metadata {
        name      = "migrate"
        namespace = "shop"
      }
      spec {
        backoff_limit = 2
        template {
          metadata {}
          spec {
            restart_policy = "Never"${POD_HCL}
          }
        }
      }
      wait_for_completion = true`,
    yaml: `
apiVersion: batch/v1
kind: Job
metadata: { name: migrate, namespace: shop }
spec:
  backoffLimit: 2
  template:
    metadata: {}
    spec:
      restartPolicy: Never${POD_YAML}`,
  },
  {
    type: 'kubernetes_cron_job_v1',
    hcl: `
      metadata {
        name      = "report"
        namespace = "shop"
      }
      spec {
        schedule                = "0 3 * * *"
        timezone                = "Etc/UTC"
        starting_deadline_seconds = 300
        job_template {
          metadata {}
          spec {
            template {
              metadata {}
              spec {
                restart_policy = "OnFailure"${POD_HCL}
              }
            }
          }
        }
      }`,
    yaml: `
apiVersion: batch/v1
kind: CronJob
metadata: { name: report, namespace: shop }
spec:
  schedule: "0 3 * * *"
  timeZone: Etc/UTC
  startingDeadlineSeconds: 300
  jobTemplate:
    metadata: {}
    spec:
      template:
        metadata: {}
        spec:
          restartPolicy: OnFailure${indent(POD_YAML, '    ')}`,
  },
  {
    type: 'kubernetes_pod_v1',
    hcl: `
      metadata {
        name      = "debug"
        namespace = "shop"
      }
      spec {${POD_HCL}
      }`,
    yaml: `
apiVersion: v1
kind: Pod
metadata: { name: debug, namespace: shop }
spec:${POD_YAML.replace(/\n {6}/g, '\n  ')}`,
  },
);

const HPA_SPEC_HCL = `
        min_replicas = 2
        max_replicas = 10
        scale_target_ref {
          api_version = "apps/v1"
          kind        = "Deployment"
          name        = "web"
        }
        target_cpu_utilization_percentage = 80
        metric {
          type = "Resource"
          resource {
            name = "cpu"
            target {
              type                = "Utilization"
              average_utilization = 70
              average_value       = "500m"
            }
          }
        }
        metric {
          type = "Pods"
          pods {
            metric {
              name = "requests_per_second"
              selector { match_labels = { route = "api" } }
            }
            target {
              type          = "AverageValue"
              average_value = "100"
            }
          }
        }
        behavior {
          scale_down {
            stabilization_window_seconds = 300
            select_policy                = "Min"
            policy {
              type           = "Percent"
              value          = 10
              period_seconds = 60
            }
            policy {
              type           = "Pods"
              value          = 2
              period_seconds = 60
            }
          }
        }`;

// target_cpu_utilization_percentage is not read for a v2 spec, and a target keeps the value its type names.
const HPA_SPEC_YAML = `
  minReplicas: 2
  maxReplicas: 10
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: { type: Utilization, averageUtilization: 70 }
    - type: Pods
      pods:
        metric:
          name: requests_per_second
          selector: { matchLabels: { route: api } }
        target: { type: AverageValue, averageValue: "100" }
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
      selectPolicy: Min
      policies:
        - { type: Percent, value: 10, periodSeconds: 60 }
        - { type: Pods, value: 2, periodSeconds: 60 }`;

KINDS.push(
  {
    type: 'kubernetes_service_v1',
    hcl: `
      metadata {
        name      = "web"
        namespace = "shop"
      }
      spec {
        selector                    = { app = "web" }
        type                        = "ClusterIP"
        cluster_ip                  = "10.0.0.10"
        ip_families                 = ["IPv4"]
        ip_family_policy            = "SingleStack"
        internal_traffic_policy     = "Cluster"
        publish_not_ready_addresses = false
        allocate_load_balancer_node_ports = true
        session_affinity            = "ClientIP"
        session_affinity_config {
          client_ip { timeout_seconds = 600 }
        }
        port {
          name         = "http"
          port         = 80
          target_port  = "8080"
          protocol     = "TCP"
          app_protocol = "http"
        }
        port {
          name        = "metrics"
          port        = 9090
          target_port = "metrics"
        }
      }
      wait_for_load_balancer = false`,
    // allocate_load_balancer_node_ports is sent for a LoadBalancer only.
    yaml: `
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector: { app: web }
  type: ClusterIP
  clusterIP: 10.0.0.10
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  internalTrafficPolicy: Cluster
  publishNotReadyAddresses: false
  sessionAffinity: ClientIP
  sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } }
  ports:
    - { name: http, port: 80, targetPort: 8080, protocol: TCP, appProtocol: http }
    - { name: metrics, port: 9090, targetPort: metrics }`,
  },
  {
    type: 'kubernetes_ingress_v1',
    hcl: `
      metadata {
        name      = "web"
        namespace = "shop"
        annotations = { "cert-manager.io/cluster-issuer" = "letsencrypt" }
      }
      spec {
        ingress_class_name = "nginx"
        default_backend {
          service {
            name = "web"
            port { number = 80 }
          }
        }
        rule {
          host = "shop.example.com"
          http {
            path {
              path      = "/api"
              path_type = "Prefix"
              backend {
                service {
                  name = "api"
                  port { name = "http" }
                }
              }
            }
            path {
              path = "/"
              backend {
                service {
                  name = "web"
                  port { number = 80 }
                }
              }
            }
          }
        }
        rule {
          host = "static.example.com"
          http {
            path {
              backend {
                resource {
                  api_group = "k8s.example.com"
                  kind      = "StorageBucket"
                  name      = "static"
                }
              }
            }
          }
        }
        tls {
          hosts       = ["shop.example.com", "static.example.com"]
          secret_name = "shop-tls"
        }
      }
      wait_for_load_balancer = false`,
    // path_type defaults to ImplementationSpecific in the provider and is always sent.
    yaml: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: { cert-manager.io/cluster-issuer: letsencrypt }
spec:
  ingressClassName: nginx
  defaultBackend: { service: { name: web, port: { number: 80 } } }
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /api
            pathType: Prefix
            backend: { service: { name: api, port: { name: http } } }
          - path: /
            pathType: ImplementationSpecific
            backend: { service: { name: web, port: { number: 80 } } }
    - host: static.example.com
      http:
        paths:
          - pathType: ImplementationSpecific
            backend:
              resource: { apiGroup: k8s.example.com, kind: StorageBucket, name: static }
  tls:
    - hosts: [shop.example.com, static.example.com]
      secretName: shop-tls`,
  },
  {
    type: 'kubernetes_ingress',
    hcl: `
      metadata {
        name      = "web"
        namespace = "shop"
      }
      spec {
        backend {
          service_name = "web"
          service_port = "80"
        }
        rule {
          host = "shop.example.com"
          http {
            path {
              path = "/api"
              backend {
                service_name = "api"
                service_port = "http"
              }
            }
          }
        }
        tls {
          hosts       = ["shop.example.com"]
          secret_name = "shop-tls"
        }
      }`,
    yaml: `
apiVersion: extensions/v1beta1
kind: Ingress
metadata: { name: web, namespace: shop }
spec:
  backend: { serviceName: web, servicePort: 80 }
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /api
            backend: { serviceName: api, servicePort: http }
  tls:
    - hosts: [shop.example.com]
      secretName: shop-tls`,
  },
  {
    type: 'kubernetes_network_policy_v1',
    hcl: `
      metadata {
        name      = "web"
        namespace = "shop"
      }
      spec {
        pod_selector {
          match_labels = { app = "web" }
        }
        policy_types = ["Ingress", "Egress"]
        ingress {
          from {
            namespace_selector {
              match_labels = { "kubernetes.io/metadata.name" = "ingress-nginx" }
            }
          }
          from {
            pod_selector {
              match_expressions {
                key      = "role"
                operator = "In"
                values   = ["frontend"]
              }
            }
          }
          ports {
            port     = "8080"
            protocol = "TCP"
          }
          ports {
            port = "http"
          }
        }
        egress {
          to {
            ip_block {
              cidr   = "10.0.0.0/8"
              except = ["10.0.1.0/24"]
            }
          }
          ports {
            port     = "5432"
            end_port = 5440
          }
        }
        egress {}
      }`,
    yaml: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ingress-nginx } }
        - podSelector:
            matchExpressions: [{ key: role, operator: In, values: [frontend] }]
      ports:
        - { port: 8080, protocol: TCP }
        - { port: http }
  egress:
    - to: [{ ipBlock: { cidr: 10.0.0.0/8, except: [10.0.1.0/24] } }]
      ports: [{ port: 5432, endPort: 5440 }]
    - {}`,
  },
  {
    type: 'kubernetes_horizontal_pod_autoscaler_v2',
    hcl: `
      metadata {
        name      = "web"
        namespace = "shop"
      }
      spec {${HPA_SPEC_HCL}
      }`,
    yaml: `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: shop }
spec:${HPA_SPEC_YAML}`,
  },
  {
    type: 'kubernetes_horizontal_pod_autoscaler_v1',
    hcl: `
      metadata {
        name      = "web"
        namespace = "shop"
      }
      spec {
        min_replicas = 2
        max_replicas = 10
        scale_target_ref {
          api_version = "apps/v1"
          kind        = "Deployment"
          name        = "web"
        }
        target_cpu_utilization_percentage = 80
      }`,
    yaml: `
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: shop }
spec:
  minReplicas: 2
  maxReplicas: 10
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  targetCPUUtilizationPercentage: 80`,
  },
  {
    type: 'kubernetes_pod_disruption_budget_v1',
    hcl: `
      metadata {
        name      = "web"
        namespace = "shop"
      }
      spec {
        min_available = "50%"
        selector {
          match_labels = { app = "web" }
        }
      }`,
    yaml: `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web, namespace: shop }
spec:
  minAvailable: 50%
  selector: { matchLabels: { app: web } }`,
  },
);

/** `_v1` types whose deprecated alias creates the same object in an older API version. */
const OLDER_VERSION: Record<string, string> = {
  kubernetes_pod_disruption_budget_v1: 'policy/v1beta1',
};

describe('each hashicorp/kubernetes resource is the Kubernetes object it creates', () => {
  it.each(KINDS.map((k) => [k.type, k] as const))('%s', async (type, k) => {
    const [object] = await declared(`resource "${type}" "x" {${k.hcl}\n}\n`);
    const expected = yamlObject(k.yaml);
    // The provider's own arguments (wait_for_*) are not fields of the object: dropped.
    expect(object!.body).toEqual(expected);
    expect(object!.ref).toEqual({
      apiVersion: expected.apiVersion,
      kind: expected.kind,
      name: (expected.metadata as { name: string }).name,
      ...((expected.metadata as { namespace?: string }).namespace
        ? { namespace: (expected.metadata as { namespace: string }).namespace }
        : {}),
    });
    // The deprecated unversioned type creates the same object.
    const alias = type === 'kubernetes_daemon_set_v1' ? 'kubernetes_daemonset' : type.replace(/_v1$/, '');
    // The deprecated cron job and ingress types have schemas of their own (tested separately).
    if (type !== 'kubernetes_cron_job_v1' && type !== 'kubernetes_ingress_v1') {
      const [old] = await declared(`resource "${alias}" "x" {${k.hcl}\n}\n`);
      const apiVersion = OLDER_VERSION[type] ?? object!.body.apiVersion;
      expect(old!.body).toEqual({ ...object!.body, apiVersion });
      expect(old!.ref.apiVersion).toBe(apiVersion);
    }
  });

  it("HashiCorp's HCL parser read through the same conversion gives the same objects", async () => {
    for (const k of KINDS) {
      const hcl = `resource "${k.type}" "x" {${k.hcl}\n}\n`;
      const ours = await declared(hcl);
      const theirs = (await hashicorpParse('main.tf', hcl)) as {
        resource: Record<string, Record<string, Array<Record<string, unknown>>>>;
      };
      const resource = { ...ours[0]!, ref: { apiVersion: 'terraform', kind: k.type, name: 'x' } };
      const converted = kubernetesObjects([{ ...resource, body: theirs.resource[k.type]!.x![0]! }]);
      expect(converted[0]!.body, k.type).toEqual(ours[0]!.body);
    }
  });

  it('the objects are valid against the Kubernetes schema (no unknown field, type or enum finding)', async () => {
    const objects = await Promise.all(
      KINDS.map(async (k) => (await declared(`resource "${k.type}" "x" {${k.hcl}\n}\n`))[0]!),
    );
    const outcome = check({ manifests: objects, options });
    expect(outcome.findings.filter((f) => f.category === 'schema')).toEqual([]);
  });

  it.each([
    ['kubernetes_cron_job', 'batch/v1beta1', 'CronJob', 'spec { schedule = "@daily" }'],
    ['kubernetes_ingress', 'extensions/v1beta1', 'Ingress', 'spec { tls { hosts = ["x"] } }'],
    [
      'kubernetes_pod_disruption_budget',
      'policy/v1beta1',
      'PodDisruptionBudget',
      'spec { max_unavailable = "1" }',
    ],
    [
      'kubernetes_horizontal_pod_autoscaler',
      'autoscaling/v2beta2',
      'HorizontalPodAutoscaler',
      'spec {\n    max_replicas = 3\n    metric { type = "Resource" }\n  }',
    ],
  ])('the deprecated %s creates a %s object, reported as removed', async (type, apiVersion, kind, spec) => {
    const [old] = await declared(`resource "${type}" "r" {\n  metadata { name = "r" }\n  ${spec}\n}\n`);
    expect(old!.ref).toMatchObject({ apiVersion, kind });
    expect(check({ manifests: [old!], options }).findings.map((f) => f.rule)).toContain('api-removed');
  });

  it('the unversioned autoscaler is autoscaling/v1 until a metric or behavior block makes it v2beta2', async () => {
    const hpa = async (type: string, spec: string) =>
      (
        await declared(`resource "${type}" "x" {\n  metadata { name = "web" }\n  spec {${spec}\n  }\n}\n`)
      )[0]!;
    const v2 = await hpa('kubernetes_horizontal_pod_autoscaler_v2', HPA_SPEC_HCL);
    expect((await hpa('kubernetes_horizontal_pod_autoscaler_v2beta2', HPA_SPEC_HCL)).body).toEqual({
      ...v2.body,
      apiVersion: 'autoscaling/v2beta2',
    });
    expect((await hpa('kubernetes_horizontal_pod_autoscaler', HPA_SPEC_HCL)).body).toEqual({
      ...v2.body,
      apiVersion: 'autoscaling/v2beta2',
    });
    const cpuOnly = `
    max_replicas = 4
    scale_target_ref {
      kind = "Deployment"
      name = "web"
    }
    target_cpu_utilization_percentage = 60`;
    const v1 = await hpa('kubernetes_horizontal_pod_autoscaler', cpuOnly);
    expect(v1.ref.apiVersion).toBe('autoscaling/v1');
    expect(v1.body.spec).toEqual({
      maxReplicas: 4,
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      targetCPUUtilizationPercentage: 60,
    });
    // A behavior block alone switches too, and the v1 field is then not sent.
    const withBehavior = await hpa(
      'kubernetes_horizontal_pod_autoscaler',
      `${cpuOnly}\n    behavior {\n      scale_up { select_policy = "Max" }\n    }`,
    );
    expect(withBehavior.ref.apiVersion).toBe('autoscaling/v2beta2');
    expect(withBehavior.body.spec).toEqual({
      maxReplicas: 4,
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      behavior: { scaleUp: { selectPolicy: 'Max' } },
    });
  });

  it('a Service sends the load-balancer-only fields for a LoadBalancer only', async () => {
    const service = async (type: string) =>
      (
        await declared(`resource "kubernetes_service_v1" "x" {
  metadata { name = "web" }
  spec {
    type                              = ${type}
    allocate_load_balancer_node_ports = false
    load_balancer_class               = "example.com/lb"
    port { port = 443 }
  }
}
`)
      )[0]!.body.spec;
    expect(await service('"LoadBalancer"')).toEqual({
      type: 'LoadBalancer',
      allocateLoadBalancerNodePorts: false,
      loadBalancerClass: 'example.com/lb',
      ports: [{ port: 443 }],
    });
    expect(await service('"NodePort"')).toEqual({ type: 'NodePort', ports: [{ port: 443 }] });
    // A type from a variable: unknown, so the fields stay.
    expect(await service('var.type')).toMatchObject({ allocateLoadBalancerNodePorts: false });
  });

  it('kubernetes_manifest is the object its manifest argument holds', async () => {
    const hcl = [
      'resource "kubernetes_manifest" "role" {',
      '  manifest = {',
      '    apiVersion = "rbac.authorization.k8s.io/v1"',
      '    kind       = "Role"',
      '    metadata   = { name = "all", namespace = "shop" }',
      '    rules = [{ apiGroups = [""], resources = ["pods"], verbs = ["*"] }]',
      '  }',
      '}',
      '',
    ].join('\n');
    const [object] = await declared(hcl);
    expect(object!.body).toEqual(
      yamlObject(
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: { name: all, namespace: shop }\nrules: [{ apiGroups: [""], resources: [pods], verbs: ["*"] }]\n',
      ),
    );
    const wildcard = check({ manifests: [object!], options }).findings.filter(
      (f) => f.rule === 'rbac-wildcard',
    );
    expect(wildcard.map((f) => `${f.line}:${f.column}`)).toEqual([at(hcl, '"*"')]);
  });

  it('other providers and data sources give no object', async () => {
    expect(
      await declared(
        'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n\ndata "kubernetes_namespace_v1" "n" {\n  metadata { name = "x" }\n}\n',
      ),
    ).toEqual([]);
  });
});

const BAD_ROLE = `resource "kubernetes_namespace_v1" "shop" {
  metadata {
    name = "shop"
  }
}

resource "kubernetes_role_v1" "deployer" {
  metadata {
    name      = "deployer"
    namespace = kubernetes_namespace_v1.shop.metadata[0].name
  }

  rule {
    api_groups = [""]
    resources  = ["secrets"]
    verbs      = ["*"]
  }
}

resource "kubernetes_role_binding_v1" "deployer" {
  metadata {
    name      = "deployer"
    namespace = "shop"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.deployer.metadata[0].name
  }
  subject {
    kind      = "ServiceAccount"
    name      = "default"
    namespace = "shop"
  }
}
`;

/** A `kubernetes_pod_v1` named `name` whose one container's image is the expression `image`. */
function podResource(name: string, image: string): string {
  return `resource "kubernetes_pod_v1" "${name}" {
  metadata {
    name = "${name}"
  }
  spec {
    container {
      name  = "web"
      image = ${image}
    }
  }
}
`;
}

/** Line and column (1-based) of the n-th occurrence of `text` in `hcl`. */
function at(hcl: string, text: string, n = 0): string {
  let index = -1;
  for (let i = 0; i <= n; i++) index = hcl.indexOf(text, index + 1);
  expect(index, text).toBeGreaterThanOrEqual(0);
  const lines = hcl.slice(0, index).split('\n');
  return `${lines.length}:${lines.at(-1)!.length + 1}`;
}

describe('findings on a declared object are placed at the Terraform argument', () => {
  it('a Role granting * on secrets: at the verb in the .tf, naming the resource address', async () => {
    const outcome = check({ manifests: await declared(BAD_ROLE, 'rbac.tf'), options });
    const found = outcome.findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`);
    expect(found).toEqual([
      `rbac-secret-read rbac.tf:${at(BAD_ROLE, '"secrets"')} rule 0 grants get/list/watch on secrets (kubernetes_role_v1.deployer)`,
      `rbac-wildcard rbac.tf:${at(BAD_ROLE, '"*"')} rule 0 grants every verb (*) (kubernetes_role_v1.deployer)`,
      `rbac-default-service-account rbac.tf:${at(BAD_ROLE, 'name      = "default"')} grants deployer to the default ServiceAccount of shop (kubernetes_role_binding_v1.deployer)`,
    ]);
    // The binding's role_ref named the Role by reference: resolved, the Role is found in the input.
    expect(outcome.findings.map((f) => f.rule)).not.toContain('rbac-role-missing');
    expect(outcome.findings[0]!.object).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      namespace: 'shop',
      name: 'deployer',
    });
    expect(outcome.findings.every((f) => !f.fixable)).toBe(true);
  });

  it('a missing field is placed at the nearest block written, a map entry at its key', async () => {
    const hcl = `resource "kubernetes_deployment_v1" "web" {
  metadata {
    name = "web"
  }
  spec {
    selector {
      match_labels = { app = "web" }
    }
    template {
      metadata {
        labels = { app = "web" }
      }
      spec {
        host_pid = true
        container {
          name  = "web"
          image = "nginx:latest"
          security_context {
            privileged = true
          }
          resources {
            limits = { cpu = "1" }
          }
        }
      }
    }
  }
}
`;
    const findings = check({ manifests: await declared(hcl), options }).findings;
    const where = (rule: string) =>
      findings.filter((f) => f.rule === rule).map((f) => `${f.line}:${f.column} ${f.field}`);
    expect(where('pss-privileged')).toEqual([
      `${at(hcl, 'privileged')} spec.template.spec.containers[0].securityContext.privileged`,
    ]);
    expect(where('img-latest-tag')).toEqual([`${at(hcl, 'image')} spec.template.spec.containers[0].image`]);
    // hostPID is host_pid: an initialism the way back too.
    expect(where('pss-host-namespaces')).toEqual([`${at(hcl, 'host_pid')} spec.template.spec.hostPID`]);
    // No memory limit: at the limits argument (the nearest thing written along the path).
    expect(where('res-memory-limit').map((w) => w.split(' ')[0])).toEqual([at(hcl, 'limits')]);
    // No replicas in the spec: at the spec block.
    expect(where('avail-min-replicas').map((w) => w.split(' ')[0])).toEqual([at(hcl, 'spec {')]);
  });
});

const SERVING = `${webDeployment('"shop"', {
  replicas: '3',
  image: '"ghcr.io/acme/web:1.2.3"',
  container:
    '\n          port {\n            name           = "http"\n            container_port = 8080\n          }',
})}

resource "kubernetes_service_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }
  spec {
    type     = "NodePort"
    selector = { app = "web" }
    port {
      port        = 80
      target_port = "https"
    }
  }
}

resource "kubernetes_service_v1" "orphan" {
  metadata {
    name      = "orphan"
    namespace = "shop"
  }
  spec {
    selector = { app = "gone" }
    port {
      port = 80
    }
  }
}

resource "kubernetes_ingress_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }
  spec {
    rule {
      host = "shop.example.com"
      http {
        path {
          path = "/"
          backend {
            service {
              name = "api"
              port {
                number = 80
              }
            }
          }
        }
      }
    }
    tls {
      hosts       = ["other.example.com"]
      secret_name = "other-tls"
    }
  }
}

resource "kubernetes_network_policy_v1" "db" {
  metadata {
    name      = "db"
    namespace = "shop"
  }
  spec {
    pod_selector {
      match_labels = { app = "db" }
    }
    policy_types = ["Ingress"]
  }
}

resource "kubernetes_horizontal_pod_autoscaler_v2" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }
  spec {
    min_replicas = 1
    max_replicas = 1
    scale_target_ref {
      api_version = "apps/v1"
      kind        = "Deployment"
      name        = "web"
    }
  }
}

resource "kubernetes_horizontal_pod_autoscaler_v1" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
  }
  spec {
    min_replicas = 2
    max_replicas = 4
    scale_target_ref {
      kind = "Deployment"
      name = "api"
    }
  }
}

resource "kubernetes_pod_disruption_budget_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }
  spec {
    max_unavailable = "0"
    selector {
      match_labels = { app = "web" }
    }
  }
}

resource "kubernetes_pod_disruption_budget_v1" "none" {
  metadata {
    name      = "none"
    namespace = "shop"
  }
  spec {
    selector {
      match_labels = { app = "web" }
    }
  }
}
`;

describe('services, ingresses, network policies, autoscalers and budgets are judged as in YAML', () => {
  const RULES = new Set([
    'net-node-port',
    'net-target-port-name',
    'net-service-no-pods',
    'net-ingress-tls',
    'net-ingress-backend',
    'net-policy-selects-nothing',
    'avail-hpa-min-replicas',
    'avail-hpa-max-replicas',
    'avail-hpa-target-missing',
    'avail-hpa-fixed-replicas',
    'avail-pdb-blocks-eviction',
    'avail-pdb-no-budget',
  ]);

  it('each finding at the argument (or the nearest block written) in the .tf', async () => {
    const findings = check({ manifests: await declared(SERVING, 'serving.tf'), options }).findings.filter(
      (f) => RULES.has(f.rule),
    );
    const shown = findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.field}`).sort();
    const line = (text: string, n = 0) => `serving.tf:${at(SERVING, text, n)}`;
    expect(shown).toEqual(
      [
        `net-node-port ${line('type     = "NodePort"')} spec.type`,
        `net-target-port-name ${line('target_port = "https"')} spec.ports[0].targetPort`,
        `net-service-no-pods ${line('selector = { app = "gone" }')} spec.selector`,
        `net-ingress-tls ${line('host = "shop.example.com"')} spec.rules[0].host`,
        `net-ingress-backend ${line('name = "api"')} spec.rules[0].http.paths[0].backend.service.name`,
        `net-policy-selects-nothing ${line('pod_selector {')} spec.podSelector`,
        `avail-hpa-min-replicas ${line('min_replicas = 1')} spec.minReplicas`,
        `avail-hpa-max-replicas ${line('max_replicas = 1')} spec.maxReplicas`,
        `avail-hpa-target-missing ${line('name = "api"', 1)} spec.scaleTargetRef.name`,
        `avail-hpa-fixed-replicas ${line('replicas = 3')} spec.replicas`,
        `avail-pdb-blocks-eviction ${line('max_unavailable = "0"')} spec.maxUnavailable`,
        `avail-pdb-no-budget ${line('spec {', 9)} spec`,
      ].sort(),
    );
    expect(findings.find((f) => f.rule === 'net-ingress-backend')!.message).toContain(
      '(kubernetes_ingress_v1.web)',
    );
  });

  it('the same objects written as YAML give the same findings', async () => {
    const objects = await declared(SERVING, 'serving.tf');
    const yaml = objects.map((m) => toYaml(m.body)).join('---\n');
    const parsed = parseManifests(yaml, 'serving.yaml');
    expect(parsed.problems).toEqual([]);
    const judged = (manifests: Manifest[]) =>
      check({ manifests, options })
        .findings.map(
          (f) =>
            `${f.rule} ${f.object.kind}/${f.object.name} ${f.field} ${f.message.replace(/ \(kubernetes_.*\)$/, '')}`,
        )
        .sort();
    const fromYaml = judged(parsed.manifests);
    expect(judged(objects)).toEqual(fromYaml);
    expect(fromYaml.filter((f) => RULES.has(f.split(' ')[0]!))).toHaveLength(RULES.size);
  });
});

describe('a rule that looks for a companion object finds it among the converted resources', () => {
  const COMPANIONS: Record<string, { hcl: string; clears: string }> = {
    kubernetes_network_policy_v1: {
      clears: 'net-no-network-policy',
      hcl: `
  metadata {
    name      = "default-deny"
    namespace = "shop"
  }
  spec {
    pod_selector {}
    policy_types = ["Ingress", "Egress"]
  }`,
    },
    kubernetes_pod_disruption_budget_v1: {
      clears: 'avail-pdb-missing',
      hcl: `
  metadata {
    name      = "db"
    namespace = "shop"
  }
  spec {
    max_unavailable = "1"
    selector {
      match_labels = { app = "db" }
    }
  }`,
    },
    kubernetes_service_v1: {
      clears: 'avail-statefulset-service',
      hcl: `
  metadata {
    name      = "db"
    namespace = "shop"
  }
  spec {
    cluster_ip = "None"
    selector   = { app = "db" }
    port {
      port = 5432
    }
  }`,
    },
  };
  const statefulSet = `resource "kubernetes_stateful_set_v1" "db" {
  metadata {
    name      = "db"
    namespace = "shop"
  }
  spec {
    service_name = "db"
    replicas     = 3
    selector {
      match_labels = { app = "db" }
    }
    template {
      metadata {
        labels = { app = "db" }
      }
      spec {
        container {
          name  = "db"
          image = "postgres:16.4"
        }
      }
    }
  }
}
`;
  const rules = async (hcl: string) =>
    new Set(check({ manifests: await declared(hcl), options }).findings.map((f) => f.rule));

  it.each(Object.entries(COMPANIONS))('%s', async (type, companion) => {
    expect(await rules(statefulSet)).toContain(companion.clears);
    const all = Object.entries(COMPANIONS)
      .map(([t, c]) => `resource "${t}" "x" {${c.hcl}\n}\n`)
      .join('\n');
    const others = Object.entries(COMPANIONS)
      .filter(([t]) => t !== type)
      .map(([t, c]) => `resource "${t}" "x" {${c.hcl}\n}\n`)
      .join('\n');
    expect(await rules(`${statefulSet}\n${others}`)).toContain(companion.clears);
    expect(await rules(`${statefulSet}\n${all}`)).not.toContain(companion.clears);
  });
});

describe('a value that is a Terraform expression is not judged', () => {
  const role = (verbs: string, resources = '["secrets"]') => `resource "kubernetes_role_v1" "r" {
  metadata {
    name      = var.name
    namespace = var.namespace
  }
  rule {
    api_groups = [""]
    resources  = ${resources}
    verbs      = ${verbs}
  }
}
`;

  it('verbs or resources from a variable, a for expression or a dynamic block: no RBAC finding', async () => {
    for (const hcl of [
      role('var.verbs'),
      role('["get"]', 'var.resources'),
      role('[for v in var.verbs : v]'),
      role('concat(["get"], var.more)'),
      `resource "kubernetes_role_v1" "r" {
  metadata { name = "r" }
  dynamic "rule" {
    for_each = var.rules
    content {
      api_groups = rule.value.api_groups
      resources  = rule.value.resources
      verbs      = rule.value.verbs
    }
  }
}
`,
    ]) {
      const outcome = check({ manifests: await declared(hcl), options });
      expect(
        outcome.findings.filter((f) => f.category === 'rbac'),
        hcl,
      ).toEqual([]);
    }
    // The same role with literals is judged: the expressions above were the reason.
    const literal = check({ manifests: await declared(role('["list"]')), options });
    expect(literal.findings.map((f) => f.rule)).toContain('rbac-secret-read');
  });

  it('an element from an expression is unknown, the literal elements beside it are judged', async () => {
    const outcome = check({ manifests: await declared(role('[var.verb, "*"]')), options });
    expect(outcome.findings.filter((f) => f.rule === 'rbac-wildcard').map((f) => f.field)).toEqual([
      'rules[0].verbs[1]',
    ]);
  });

  it('a data map from a variable: the ConfigMap and the Secret are not judged on it', async () => {
    const objects = (data: string) =>
      declared(`resource "kubernetes_config_map_v1" "c" {
  metadata { name = "c" }
  data = ${data}
}

resource "kubernetes_secret_v1" "s" {
  metadata { name = "s" }
  data    = ${data}
  data_wo = var.write_only
}
`);
    const literal = check({ manifests: await objects('{ DB_PASSWORD = "hunter2" }'), options }).findings;
    expect(literal.map((f) => f.rule)).toContain('secret-in-configmap');
    const unknown = await objects('var.data');
    expect(unknown[1]!.body.data).toEqual({ expression: 'var.data' });
    expect(check({ manifests: unknown, options }).findings.filter((f) => f.category === 'secrets')).toEqual(
      [],
    );
  });

  it('a name from a variable is shown as Terraform interpolates it', async () => {
    const [object] = await declared(role('["*"]'));
    expect(object!.ref).toMatchObject({ name: '${var.name}', namespace: '${var.namespace}' });
  });

  it('a workload whose every value is an expression: no crash, no finding on an expression', async () => {
    const literal = `resource "kubernetes_deployment_v1" "w" {
  metadata {
    name      = "w"
    namespace = "shop"
    labels    = { app = "w" }
  }
  spec {
    replicas = 1
    selector {
      match_labels = { app = "w" }
    }
    template {
      metadata {
        labels = { app = "w" }
      }
      spec {
        host_network = true
        host_pid     = true
        service_account_name = "default"
        container {
          name    = "w"
          image   = "nginx"
          command = ["sh", "-c", "sleep 1"]
          env {
            name  = "PASSWORD"
            value = "hunter2"
          }
          port {
            container_port = 80
            host_port      = 80
          }
          resources {
            limits = { cpu = "100", memory = "100Gi" }
          }
          security_context {
            privileged                 = true
            allow_privilege_escalation = true
            run_as_user                = 0
            capabilities {
              add = ["SYS_ADMIN", "NET_ADMIN"]
            }
          }
        }
        volume {
          name = "host"
          host_path {
            path = "/var/run/docker.sock"
          }
        }
      }
    }
  }
}
`;
    const judged = check({ manifests: await declared(literal), options }).findings;
    expect(judged.length).toBeGreaterThan(15);
    // Every literal (strings, numbers, booleans, lists, maps) replaced by a variable.
    let n = 0;
    const unknown = literal
      .replace(/= (\[[^\]]*\]|\{[^}]*\}|"[^"]*"|\d+|true|false)/g, () => `= var.v${n++}`)
      .replace(/resource "kubernetes_deployment_v1" "w"/, 'resource "kubernetes_deployment_v1" "w"');
    const objects = await declared(unknown);
    const outcome = check({ manifests: objects, options });
    for (const f of outcome.findings) {
      // A finding left is about a field that is absent, never about one an expression sets.
      const path = f.field
        .split(/\.|\[|\]/)
        .filter(Boolean)
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      expect(underExpression(objects[0]!.body, path), `${f.rule} ${f.field}`).toBe(false);
    }
    const literalRules = new Set(judged.map((f) => f.rule));
    for (const rule of [
      'pss-privileged',
      'pss-host-namespaces',
      'pss-host-path',
      'img-latest-tag',
      'secret-env-literal',
    ])
      if (literalRules.has(rule))
        expect(
          outcome.findings.map((f) => f.rule),
          rule,
        ).not.toContain(rule);
    expect(literalRules).toContain('pss-privileged');
  });
});

describe('slipway check on a .tf file with a bad Role', () => {
  it('fails on its warnings with the finding at the line and column of the argument', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-kube-'));
    writeFileSync(join(dir, 'rbac.tf'), BAD_ROLE);
    const io = memoryIo({ cwd: dir });
    const code = await main(['node', 'slipway', 'check', '--fail-on', 'warning', '-o', 'json', '.'], io.io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(1);
    const report = JSON.parse(io.stdout()) as {
      findings: Array<{ rule: string; file: string; line: number; column: number; message: string }>;
    };
    const wildcard = report.findings.find((f) => f.rule === 'rbac-wildcard')!;
    expect(`${wildcard.file}:${wildcard.line}:${wildcard.column}`).toBe(`rbac.tf:${at(BAD_ROLE, '"*"')}`);
    expect(wildcard.message).toContain('kubernetes_role_v1.deployer');
  });
});

describe('dynamic blocks and module calls with known values are expanded', () => {
  it('a dynamic block over a literal list is one block per element, judged at its content', async () => {
    const hcl = `resource "kubernetes_role_v1" "r" {
  metadata {
    name      = "r"
    namespace = "shop"
  }
  dynamic "rule" {
    for_each = [{ resources = ["pods"], verbs = ["get"] }, { resources = ["secrets"], verbs = ["list"] }]
    iterator = grant
    content {
      api_groups = [""]
      resources  = grant.value.resources
      verbs      = grant.value["verbs"]
    }
  }
}
`;
    const [role] = await declared(hcl);
    expect(role!.body.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
    ]);
    const found = check({ manifests: [role!], options }).findings.filter(
      (f) => f.rule === 'rbac-secret-read',
    );
    expect(found.map((f) => `${f.line}:${f.column} ${f.field}`)).toEqual([
      `${at(hcl, 'resources  = grant')} rules[1].resources[0]`,
    ]);
  });

  it("a called module's objects take the call's arguments, named module.<call>.<address>", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-module-'));
    mkdirSync(join(dir, 'modules', 'rbac'), { recursive: true });
    const module = `variable "verbs" {
  type    = list(string)
  default = ["get"]
}

variable "namespace" {
  type = string
}

resource "kubernetes_role_v1" "app" {
  metadata {
    name      = "app"
    namespace = var.namespace
  }
  rule {
    api_groups = [""]
    resources  = ["secrets"]
    verbs      = var.verbs
  }
}
`;
    writeFileSync(join(dir, 'modules', 'rbac', 'main.tf'), module);
    const root =
      'module "ops" {\n  source    = "./modules/rbac"\n  namespace = "ops"\n  verbs     = ["*"]\n}\n\nmodule "web" {\n  source    = "./modules/rbac"\n  namespace = "web"\n}\n';
    writeFileSync(join(dir, 'main.tf'), root);
    const io = memoryIo({ cwd: dir });
    expect(await main(['node', 'slipway', 'check', '-o', 'json', '.'], io.io)).toBe(0);
    const report = JSON.parse(io.stdout()) as {
      findings: Array<{
        rule: string;
        file: string;
        line: number;
        column: number;
        message: string;
        object: object;
      }>;
    };
    const shown = report.findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`);
    // "ops" passes ["*"] (the finding on it is at the call's "*"); "web" leaves the default ["get"];
    // the module's own Role (verbs unknown) is not reported besides its instances.
    expect(shown).toEqual([
      `rbac-wildcard main.tf:${at(root, '"*"')} rule 0 grants every verb (*) (module.ops.kubernetes_role_v1.app, declared in modules/rbac/main.tf)`,
      `rbac-secret-read modules/rbac/main.tf:${at(module, '"secrets"')} rule 0 grants get/list/watch on secrets (module.ops.kubernetes_role_v1.app, called from .)`,
      `rbac-secret-read modules/rbac/main.tf:${at(module, '"secrets"')} rule 0 grants get on secrets (module.web.kubernetes_role_v1.app, called from .)`,
    ]);
    expect(report.findings[0]!.object).toMatchObject({ kind: 'Role', namespace: 'ops', name: 'app' });
  });

  it('a variable no call sets, or a dynamic block over an unknown value, stays unknown', async () => {
    const hcl = `resource "kubernetes_role_v1" "r" {
  metadata { name = "r" }
  dynamic "rule" {
    for_each = var.rules
    content {
      resources = rule.value.resources
      verbs     = ["*"]
    }
  }
}
`;
    const [role] = await declared(hcl);
    expect(role!.body.rules).toEqual([{ resources: { expression: 'rule.value.resources' }, verbs: ['*'] }]);
    // The literal verb is judged; the resources are not.
    expect(check({ manifests: [role!], options }).findings.map((f) => `${f.rule} ${f.field}`)).toEqual([
      'rbac-wildcard rules[0].verbs[0]',
    ]);
  });
});

describe("a value a module call passes is placed at the call's argument", () => {
  const MODULE = `variable "namespace" {}

variable "replicas" {
  default = 1
}

variable "ports" {
  default = [80]
}

variable "labels" {
  default = {}
}

resource "kubernetes_deployment_v1" "web" {
  metadata {
    name      = "web"
    namespace = var.namespace
  }
  spec {
    replicas = var.replicas
    selector {
      match_labels = { app = "web" }
    }
    template {
      metadata {
        labels = var.labels
      }
      spec {
        container {
          name  = "web"
          image = "nginx:1.27"
          port {
            container_port = 8080
            host_port      = var.ports[0]
          }
        }
      }
    }
  }
}
`;
  // "shop" passes every value; "blog" leaves replicas and ports to the module's defaults.
  // Both pass the pod labels, "shop" with a name label the app label contradicts.
  const ROOT = `module "shop" {
  source    = "../modules/web"
  namespace = "shop"
  replicas  = 1
  ports     = [8080, 9090]
  labels    = { app = "web", "app.kubernetes.io/name" = "shop" }
}

module "blog" {
  source    = "../modules/web"
  namespace = "blog"
  labels    = { app = "web" }
}
`;

  function layout(): string {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-call-args-'));
    mkdirSync(join(dir, 'modules', 'web'), { recursive: true });
    mkdirSync(join(dir, 'env'));
    writeFileSync(join(dir, 'modules', 'web', 'main.tf'), MODULE);
    writeFileSync(join(dir, 'env', 'main.tf'), ROOT);
    return dir;
  }

  async function run(dir: string, format: string): Promise<string> {
    const io = memoryIo({ cwd: dir });
    expect(await main(['node', 'slipway', 'check', '-o', format, '--fail-on', 'none', '.'], io.io)).toBe(0);
    expect(io.stderr()).toBe('');
    return io.stdout();
  }

  it("a literal argument: the finding is in the caller's file at the argument (a member: at its entry); a default stays in the module", async () => {
    const report = JSON.parse(await run(layout(), 'json')) as {
      findings: Array<{
        rule: string;
        file: string;
        line: number;
        column: number;
        message: string;
        object: { namespace?: string };
      }>;
    };
    const shown = (rule: string) =>
      report.findings
        .filter((f) => f.rule === rule)
        .map((f) => `${f.object.namespace} ${f.file}:${f.line}:${f.column} ${f.message}`);
    expect(shown('avail-min-replicas')).toEqual([
      `shop env/main.tf:${at(ROOT, 'replicas  = 1')} 1 replica: a rollout or node failure is an outage (module.shop.kubernetes_deployment_v1.web, declared in modules/web/main.tf)`,
      `blog modules/web/main.tf:${at(MODULE, 'replicas = var.replicas')} 1 replica: a rollout or node failure is an outage (module.blog.kubernetes_deployment_v1.web, called from env)`,
    ]);
    // var.ports[0]: the first element of the list the call passes; the default's list is the module's.
    expect(shown('pss-host-ports').map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
      `shop env/main.tf:${at(ROOT, '8080')}`,
      `blog modules/web/main.tf:${at(MODULE, 'host_port')}`,
    ]);
    // A label of the map the call passes: at its entry; the pods' labels (no NetworkPolicy selects
    // them) at the argument.
    expect(shown('metadata-app-labels').map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
      `shop env/main.tf:${at(ROOT, 'app = "web"')}`,
    ]);
    expect(shown('net-no-network-policy').map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
      `shop env/main.tf:${at(ROOT, 'labels')}`,
      `blog env/main.tf:${at(ROOT, 'labels', 1)}`,
    ]);
  });

  it("the text, JSON and SARIF reports name the caller's file and the argument's line and column", async () => {
    const dir = layout();
    // Columns are padded per file: compared with runs of spaces as one.
    const text = (await run(dir, 'text')).split('\n').map((l) => l.trim().replace(/ +/g, ' '));
    expect(text).toContain(
      `env/main.tf:${at(ROOT, 'replicas  = 1')} info 1 replica: a rollout or node failure is an outage (module.shop.kubernetes_deployment_v1.web, declared in modules/web/main.tf) [avail-min-replicas]`,
    );
    const sarif = JSON.parse(await run(dir, 'sarif')) as {
      runs: Array<{
        results: Array<{
          ruleId: string;
          locations: Array<{
            physicalLocation: {
              artifactLocation: { uri: string; uriBaseId?: string };
              region: { startLine: number; startColumn: number };
            };
          }>;
        }>;
      }>;
    };
    const placed = sarif.runs[0]!.results.filter((r) => r.ruleId === 'avail-min-replicas').map((r) => {
      const { artifactLocation, region } = r.locations[0]!.physicalLocation;
      return `${artifactLocation.uriBaseId}:${artifactLocation.uri}:${region.startLine}:${region.startColumn}`;
    });
    expect(placed.sort()).toEqual(
      [
        `SRCROOT:env/main.tf:${at(ROOT, 'replicas  = 1')}`,
        `SRCROOT:modules/web/main.tf:${at(MODULE, 'replicas = var.replicas')}`,
      ].sort(),
    );
  });
});

describe("a resource's count", () => {
  const variables = `variable "empty" {
  default = ""
}
variable "name" {
  default = "x"
}
variable "on" {
  default = true
}
variable "none" {
  default = []
}
variable "two" {
  default = ["a", "b"]
}
variable "map" {
  default = { "a.b" = 1 }
}
variable "list" {
  default = [{ n = 2 }]
}
`;
  /** The value check computes of `text` with the variables above (undefined: unknown), in a ConfigMap's data. */
  async function computed(text: string): Promise<unknown> {
    const hcl = `${variables}resource "kubernetes_config_map_v1" "v" {
  metadata {
    name = "v"
  }
  data = {
    v = ${text}
  }
}
`;
    const v = ((await declared(hcl))[0]!.body as { data: { v: unknown } }).data.v;
    return isExpression(v) ? undefined : v;
  }

  it.each([
    ['var.empty == "" ? 0 : 1', 0],
    ['var.name == "" ? 0 : 1', 1],
    ['var.name == "" || length(var.none) == 0 ? 0 : 1', 0],
    ['var.name == "" || length(var.two) == 0 ? 0 : 1', 1],
    ['var.on ? 1 : 0', 1],
    ['!var.on ? 1 : 0', 0],
    ['(var.on && var.name != "x") ? 1 : 0', 0],
    ['length(var.two)', 2],
    ['var.unknown ? 1 : 0', undefined],
    ['var.unknown == "" || length(var.none) == 0 ? 0 : 1', 0],
    ['var.unknown && !var.on ? 1 : 0', 0],
    ['var.unknown && var.on ? 1 : 0', undefined],
    ['var.name || var.on ? 1 : 0', 1],
    ['var.name && var.on ? 1 : 0', undefined],
    ['min(1, 2)', 1],
    ['min(1, var.unknown)', undefined],
  ] as const)('%s is %s', async (text, expected) => {
    expect(await computed(text)).toBe(expected);
  });

  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 * 3 - 4 / 2', 4],
    ['1 - -1', 2],
    ['"2" * 2', 4],
    ['0.1 + 0.2', 0.3],
    ['10 / 4', 2.5],
    ['-5 % 3', -2],
    ['1 / 3', undefined],
    ['1 / 0', undefined],
    ['var.name + 1', undefined],
    ['var.on + 1', undefined],
    ['1 == "1"', false],
    ['var.two == ["a", "b"]', undefined],
    // A reference's member steps as evaluate reads them: an index, a quoted key, an attribute after an index.
    ['var.map["a.b"] + var.list[0].n', 3],
    ['"3" >= 3 && !(1 > 2)', true],
    ['"true" || var.unknown', true],
    ['true ? 1 : "a"', '1'],
    ['true ? 1 : false', undefined],
    ['true ? 1.5 : "a"', '1.5'],
    // Terraform writes every digit ("100000000000000000000000"), not JavaScript's 1e+23: unknown.
    ['true ? 100000000000000000000000 : "a"', undefined],
    ['length(var.two) > 1', true],
    ['format("%s-%d", var.name, 1) == "x-1"', true],
    ['"a%{if true}b%{endif}" == "ab"', undefined],
    ['null == null', true],
    // Any operand evaluate computes: a template, try and can, a list or a for written, parentheses.
    ['var.on ? "${var.name}-a" : "b"', 'x-a'],
    ['"${join("-", var.two)}" == "a-b"', true],
    ['can(var.two[5]) ? 1 : 0', 0],
    ['try(var.two[5], "d") == "d"', true],
    ['contains(["x"], var.name) ? 1 : 0', 1],
    ['length([for t in var.two : t if t != "a"]) + 1', 2],
    ['-(1 + 2) * 2', -6],
  ] as const)('operator %s is %s, as Terraform computes it', async (text, expected) => {
    expect(await computed(text)).toBe(expected);
  });

  it('a resource a module call or a default switches off creates no object; an unknown switch keeps it', async () => {
    const hcl = `variable "enabled" {
  default = false
}

variable "other" {
  type = bool
}

resource "kubernetes_role_v1" "r" {
  count = var.enabled ? 1 : 0
  metadata { name = "r" }
  rule {
    resources = ["secrets"]
    verbs     = ["*"]
  }
}

resource "kubernetes_role_v1" "u" {
  count = var.other ? 1 : 0
  metadata { name = "u" }
}

resource "kubernetes_role_v1" "never" {
  count = 0
  metadata { name = "never" }
}
`;
    // Alone (a root module), a variable has its default, as `terraform plan` without -var gives it:
    // "r" is switched off; "other" has no default, so "u" is judged.
    expect((await declared(hcl)).map((m) => m.ref.name)).toEqual(['u']);
    const parsed = parseTerraform(hcl, 'm.tf', await loadHcl(), { module: 'm', production: false });
    const call = (args: Record<string, unknown>) =>
      moduleInstances({ name: 'x', source: './m', arguments: args }, [parsed.kubernetes], '.').map(
        (m) => m.ref.name,
      );
    expect(call({})).toEqual(['u']);
    expect(call({ enabled: true, other: false })).toEqual(['r']);
    // An argument the call passes but whose value is not known is unknown, not the default: "r" is kept.
    expect(call({ enabled: { expression: 'data.flags.this.enabled' } })).toEqual(['r', 'u']);
  });
});

describe('a resource with for_each or count is one object per instance', () => {
  it('for_each over a known map or toset() of a list: each.key and each.value, named by instance key, in key order', async () => {
    const hcl = `variable "apps" {
  default = {
    web = { image = "nginx:latest", replicas = 1 }
    api = { image = "api:1.2", replicas = 3 }
  }
}

variable "readers" {
  default = ["b", "a", "b"]
}

resource "kubernetes_deployment_v1" "app" {
  for_each = var.apps
  metadata {
    name      = each.key
    namespace = "shop"
  }
  spec {
    replicas = each.value.replicas
    selector {
      match_labels = { app = each.key }
    }
    template {
      metadata {
        labels = { app = each.key }
      }
      spec {
        container {
          name  = each.key
          image = each.value["image"]
        }
      }
    }
  }
}

resource "kubernetes_service_account_v1" "reader" {
  for_each = toset(var.readers)
  metadata {
    name      = "reader-\${each.value}"
    namespace = "shop"
  }
}
`;
    const objects = await declared(hcl);
    // Instances in Terraform's order: a map's keys and a set's elements sorted, whatever the written order.
    expect(objects.map((m) => `${m.declaredBy!.name} ${m.ref.kind}/${m.ref.name}`)).toEqual([
      'app["api"] Deployment/api',
      'app["web"] Deployment/web',
      'reader["a"] ServiceAccount/reader-a',
      'reader["b"] ServiceAccount/reader-b',
    ]);
    const web = objects[1]!.body as {
      spec: { replicas: number; template: { spec: { containers: object[] } } };
    };
    expect(web.spec.replicas).toBe(1);
    expect(web.spec.template.spec.containers[0]).toEqual({ name: 'web', image: 'nginx:latest' });
    // Each instance is judged: the latest tag and the single replica of web only, at the argument.
    const found = check({ manifests: objects, options }).findings.filter((f) =>
      ['img-latest-tag', 'avail-min-replicas'].includes(f.rule),
    );
    expect(found.map((f) => `${f.rule} ${f.object.name} ${f.line}:${f.column}`)).toEqual([
      `avail-min-replicas web ${at(hcl, 'replicas = each.value.replicas')}`,
      `img-latest-tag web ${at(hcl, 'image = each.value["image"]')}`,
    ]);
    expect(
      check({ manifests: objects, options }).findings.find((f) => f.rule === 'img-latest-tag')!.message,
    ).toContain('(kubernetes_deployment_v1.app["web"])');
  });

  it('a known count: one object per count.index, addressed [i] as Terraform does (a count of 1 too); unknown for_each or count: one object', async () => {
    const hcl = `variable "shards" {
  default = 2
}

resource "kubernetes_config_map_v1" "shard" {
  count = var.shards
  metadata {
    name = "shard-\${count.index}"
  }
  data = { index = count.index }
}

resource "kubernetes_config_map_v1" "one" {
  count = 1
  metadata {
    name = "one-\${count.index}"
  }
}

resource "kubernetes_config_map_v1" "unknown" {
  for_each = var.missing
  metadata {
    name = each.key
  }
}
`;
    const objects = await declared(hcl);
    expect(addresses(objects)).toEqual([
      'shard[0] shard-0',
      'shard[1] shard-1',
      'one[0] one-0',
      'unknown ${each.key}',
    ]);
    expect((objects[1]!.body as { data: object }).data).toEqual({ index: 1 });
  });

  it('count and for_each on one resource: exit 2 at the block, saying to keep one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-count-each-'));
    writeFileSync(
      join(dir, 'main.tf'),
      `resource "kubernetes_config_map_v1" "both" {
  count    = 2
  for_each = toset(["a", "b"])
  metadata {
    name = "x"
  }
}
`,
    );
    const io = memoryIo({ cwd: dir });
    expect(await main(['node', 'slipway', 'check', '.'], io.io)).toBe(2);
    expect(io.stderr()).toMatch(
      /main\.tf:1:1\b.*resource "kubernetes_config_map_v1" "both" sets both count and for_each/,
    );
    expect(io.stderr()).toMatch(/keep one/);
  });
});

describe('a for expression over known values is computed: for_each and dynamic blocks over it', () => {
  const SERVICES = `variable "services" {
  default = [
    { name = "web", image = "nginx:latest", replicas = 1, enabled = true },
    { name = "api", image = "api:1.2", replicas = 3, enabled = true },
    { name = "old", image = "old:latest", replicas = 1, enabled = false },
  ]
}
`;
  /** A Deployment per element of `forEach`, its name, replicas and image from each.key and each.value. */
  const apps = (forEach: string, image = 'each.value.image') =>
    deploymentPerKey(forEach, image, 'each.value.replicas');
  const judged = (objects: Manifest[]) =>
    check({ manifests: objects, options })
      .findings.filter((f) => ['img-latest-tag', 'avail-min-replicas'].includes(f.rule))
      .map((f) => `${f.rule} ${f.line}:${f.column} ${/\((kubernetes_[^\s,)]+)/.exec(f.message)?.[1]}`);

  it('{ for s in var.services : s.name => s if s.enabled }: one object per element kept, each.value judged; toset([for ...])', async () => {
    const hcl = `${SERVICES}${apps('{ for s in var.services : s.name => s if s.enabled }')}
resource "kubernetes_service_account_v1" "app" {
  for_each = toset([for s in var.services : "\${s.name}-sa" if s.enabled])
  metadata {
    name      = each.value
    namespace = "shop"
  }
}
`;
    const objects = await declared(hcl);
    // "old" is dropped by the if; the map's keys and the set are sorted, as Terraform orders them.
    expect(objects.map((m) => `${m.declaredBy!.name} ${m.ref.kind}/${m.ref.name}`)).toEqual([
      'app["api"] Deployment/api',
      'app["web"] Deployment/web',
      'app["api-sa"] ServiceAccount/api-sa',
      'app["web-sa"] ServiceAccount/web-sa',
    ]);
    expect((objects[0]!.body as { spec: { replicas: number } }).spec.replicas).toBe(3);
    expect(judged(objects)).toEqual([
      `avail-min-replicas ${at(hcl, 'replicas = each.value.replicas')} kubernetes_deployment_v1.app["web"]`,
      `img-latest-tag ${at(hcl, 'image = each.value.image')} kubernetes_deployment_v1.app["web"]`,
    ]);
  });

  it('{ for k, v in var.apps : ... }: a map in lexical key order, key and value symbols; ... groups by key', async () => {
    const hcl = `variable "apps" {
  default = {
    web = { image = "nginx:latest", replicas = 3, tier = "front" }
    api = { image = "api:1.2", replicas = 1, tier = "back" }
    ui  = { image = "ui:2.0", replicas = 3, tier = "front" }
  }
}

locals {
  tiers = { for k, v in var.apps : v.tier => k... }
}
${apps('{ for k, v in var.apps : "${k}-web" => { image = v.image, replicas = v.replicas } }')}
resource "kubernetes_config_map_v1" "tier" {
  for_each = local.tiers
  metadata {
    name   = each.key
    labels = { first = each.value[0], apps = length(each.value) }
  }
  data = { apps = [for i, a in each.value : "\${i}=\${a}"] }
}
`;
    const objects = await declared(hcl);
    expect(addresses(objects)).toEqual([
      'app["api-web"] api-web',
      'app["ui-web"] ui-web',
      'app["web-web"] web-web',
      'tier["back"] back',
      'tier["front"] front',
    ]);
    expect((objects[4]!.body as { data: object }).data).toEqual({ apps: ['0=ui', '1=web'] });
    expect(judged(objects)).toEqual([
      `avail-min-replicas ${at(hcl, 'replicas = each.value.replicas')} kubernetes_deployment_v1.app["api-web"]`,
      `img-latest-tag ${at(hcl, 'image = each.value.image')} kubernetes_deployment_v1.app["web-web"]`,
    ]);
  });

  it('dynamic "port" over [for p in var.ports : p if p.public]: one block per public port, judged; over toset([for ...]) one per element', async () => {
    const hcl = `variable "ports" {
  default = [
    { name = "http", number = 8080, host = 80, public = true },
    { name = "metrics", number = 9090, host = 9090, public = false },
  ]
}

resource "kubernetes_pod_v1" "web" {
  metadata {
    name = "web"
  }
  spec {
    container {
      name  = "web"
      image = "nginx:1.27"
      dynamic "port" {
        for_each = [for p in var.ports : p if p.public]
        content {
          name           = port.value.name
          container_port = port.value.number
          host_port      = port.value.host
        }
      }
      dynamic "env" {
        for_each = toset([for p in var.ports : p.name])
        content {
          name  = "PORT_\${upper(env.key)}"
          value = env.value
        }
      }
    }
  }
}
`;
    const [pod] = await declared(hcl);
    const spec = pod!.body.spec as { containers: Array<{ ports: object[]; env: object[] }> };
    expect(spec.containers[0]!.ports).toEqual([{ name: 'http', containerPort: 8080, hostPort: 80 }]);
    // Over a set of strings (toset of a for): one block per element, sorted, key and value the
    // element; a call inside the interpolation is computed.
    expect(spec.containers[0]!.env).toEqual([
      { name: 'PORT_HTTP', value: 'http' },
      { name: 'PORT_METRICS', value: 'metrics' },
    ]);
    const hostPorts = check({ manifests: [pod!], options }).findings.filter(
      (f) => f.rule === 'pss-host-ports',
    );
    expect(hostPorts.map((f) => `${f.line}:${f.column} ${f.field}`)).toEqual([
      `${at(hcl, 'host_port')} spec.containers[0].ports[0].hostPort`,
    ]);
  });

  it('a for over an unknown collection, with an unknown condition, or one key twice in a file read alone (a call may set other values) stays unknown: one object', async () => {
    for (const forEach of [
      '{ for s in data.kubernetes_resources.all.objects : s.name => s }',
      '{ for s in var.services : s.name => s if contains(var.skip, s.name) }',
      '{ for s in var.services : s.enabled => s }',
    ]) {
      const objects = await declared(`${SERVICES}${apps(forEach)}`);
      expect(addresses(objects), forEach).toEqual(['app ${each.key}']);
      expect(judged(objects), forEach).toEqual([]);
    }
    // The same for over the known list, keyed by name: the unknown parts above were the reason.
    const known = await declared(`${SERVICES}${apps('{ for s in var.services : s.name => s }')}`);
    expect(known.map((m) => m.declaredBy!.name)).toEqual(['app["api"]', 'app["old"]', 'app["web"]']);
  });
});

describe("Terraform's common functions over known values are computed", () => {
  const names = (objects: Manifest[]) =>
    objects.map((m) => `${m.declaredBy!.name} ${m.ref.kind}/${m.ref.name}`);
  const images = `variable "images" {
  default = { web = "nginx:latest", api = "api:1.2" }
}

variable "extra" {
  default = { tier = "front" }
}
`;
  const deployment = (image: string, labels: string) => `
resource "kubernetes_deployment_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
    labels    = ${labels}
  }
  spec {
    replicas = 3
    selector {
      match_labels = { app = "web" }
    }
    template {
      metadata {
        labels = ${labels}
      }
      spec {
        container {
          name  = "web"
          image = ${image}
        }
      }
    }
  }
}
`;

  it('lookup and merge in an image and labels: the careless image is found at the argument', async () => {
    const hcl = `${images}${deployment(
      'lookup(var.images, "web", "nginx:1.27")',
      'merge({ app = "web", tier = "back" }, var.extra, { name = upper(format("%s-%d", "web", 1)) })',
    )}`;
    const [web] = await declared(hcl);
    const body = web!.body as {
      metadata: { labels: object };
      spec: { template: { spec: { containers: Array<{ image: string }> } } };
    };
    expect(body.metadata.labels).toEqual({ app: 'web', tier: 'front', name: 'WEB-1' });
    expect(body.spec.template.spec.containers[0]!.image).toBe('nginx:latest');
    const found = check({ manifests: [web!], options }).findings.filter((f) => f.rule === 'img-latest-tag');
    expect(found.map((f) => `${f.line}:${f.column}`)).toEqual([at(hcl, 'image = lookup')]);
    // The default when the key is missing; lookup's other values, keys, values, join, coalesce, length.
    const [other] = await declared(
      `${images}${deployment(
        'lookup(var.images, "ui", "ui:2.0")',
        `{
      keys   = join(",", keys(var.images))
      values = join(",", concat(values(var.images), flatten([["a"], [["b"]]])))
      first  = coalesce("", tostring(tonumber("42")))
      count  = tostring(length(var.images) + 0)
      chars  = length("héllo")
    }`,
      )}`,
    );
    const labels = (other!.body.metadata as { labels: Record<string, unknown> }).labels;
    expect(labels).toEqual({
      keys: 'api,web',
      values: 'api:1.2,nginx:latest,a,b',
      first: '42',
      count: '2',
      chars: 5,
    });
    expect(
      (other!.body.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec
        .containers[0]!.image,
    ).toBe('ui:2.0');
  });

  it('for_each = merge(...) and toset(keys(...)), count = length(...): one object per instance', async () => {
    const hcl = `${images}
resource "kubernetes_config_map_v1" "merged" {
  for_each = merge(var.images, { api = "api:2.0" }, var.extra)
  metadata {
    name = each.key
  }
  data = { image = each.value }
}

resource "kubernetes_service_account_v1" "sa" {
  for_each = toset(keys(var.images))
  metadata {
    name = "\${each.value}-sa"
  }
}

variable "shards" {
  default = ["a", "b"]
}

resource "kubernetes_config_map_v1" "shard" {
  count = length(var.shards)
  metadata {
    name = "shard-\${count.index}"
  }
}
`;
    const objects = await declared(hcl);
    expect(names(objects)).toEqual([
      'merged["api"] ConfigMap/api',
      'merged["tier"] ConfigMap/tier',
      'merged["web"] ConfigMap/web',
      'sa["api"] ServiceAccount/api-sa',
      'sa["web"] ServiceAccount/web-sa',
      'shard[0] ConfigMap/shard-0',
      'shard[1] ConfigMap/shard-1',
    ]);
    expect((objects[0]!.body as { data: object }).data).toEqual({ image: 'api:2.0' });
  });

  it('{ for s in var.services : lower(s.name) => s }: a function inside a for', async () => {
    const hcl = `variable "services" {
  default = [{ name = "Web", image = "nginx:latest" }, { name = "API", image = "api:1.2" }]
}

resource "kubernetes_config_map_v1" "svc" {
  for_each = { for s in var.services : lower(s.name) => s }
  metadata {
    name = each.key
  }
  data = { names = join(" ", [for s in var.services : format("%s=%s", upper(s.name), s.image)]) }
}
`;
    const objects = await declared(hcl);
    expect(names(objects)).toEqual(['svc["api"] ConfigMap/api', 'svc["web"] ConfigMap/web']);
    expect((objects[0]!.body as { data: object }).data).toEqual({
      names: 'WEB=nginx:latest API=api:1.2',
    });
  });

  it('an unknown argument, an unread function or format verb: the call stays unknown, nothing judged on it', async () => {
    for (const [image, text] of [
      ['lookup(data.x.y, "a", "nginx:latest")', 'lookup(data.x.y, "a", "nginx:latest")'],
      ['lookup(var.images, "ui")', 'lookup(var.images, "ui")'],
      ['format("%e", 1)', 'format("%e", 1)'],
      ['format("%[1]s", "nginx:latest")', 'format("%[1]s", "nginx:latest")'],
      ['replace("nginx:1.27", "/:.*$/", ":latest")', 'replace("nginx:1.27", "/:.*$/", ":latest")'],
      ['trimspace(data.x.y)', 'trimspace(data.x.y)'],
    ]) {
      const [web] = await declared(`${images}${deployment(image!, '{ app = "web" }')}`);
      const container = (web!.body.spec as { template: { spec: { containers: Array<{ image: unknown }> } } })
        .template.spec.containers[0]!;
      expect(container.image, image).toEqual({ expression: text });
      expect(
        check({ manifests: [web!], options }).findings.filter((f) => f.rule === 'img-latest-tag'),
        image,
      ).toEqual([]);
    }
    // The same calls with known arguments and verbs are computed and judged: the unknown was the reason.
    for (const image of ['lookup(var.images, "a", "nginx:latest")', 'format("%s:%s", "nginx", "latest")']) {
      const [web] = await declared(`${images}${deployment(image, '{ app = "web" }')}`);
      expect(
        check({ manifests: [web!], options }).findings.filter((f) => f.rule === 'img-latest-tag'),
        image,
      ).toHaveLength(1);
    }
    // for_each over merge() with an unknown map: one object, named as written.
    const objects = await declared(`${images}
resource "kubernetes_config_map_v1" "m" {
  for_each = merge(var.images, var.missing)
  metadata {
    name = each.key
  }
}
`);
    expect(names(objects)).toEqual(['m ConfigMap/${each.key}']);
  });
});

describe("more of Terraform's functions, calls in templates, expanded arguments and sets are computed", () => {
  const latest = (objects: Manifest[]) =>
    check({ manifests: objects, options })
      .findings.filter((f) => f.rule === 'img-latest-tag')
      .map((f) => `${f.line}:${f.column} ${/\((kubernetes_[^\s,)]+)/.exec(f.message)?.[1]}`);
  const app = (forEach: string, image: string, extra = '') => deploymentPerKey(forEach, image, '3', extra);
  const image = (m: Manifest) =>
    (m.body.spec as { template: { spec: { containers: Array<{ image: unknown }> } } }).template.spec
      .containers[0]!.image;
  const data = (m: Manifest) => (m.body as { data: Record<string, unknown> }).data;
  const names = (objects: Manifest[]) =>
    objects.map((m) => `${m.declaredBy!.name} ${m.ref.kind}/${m.ref.name}`);

  it('string and collection functions in an image built from each.value: the careless one is found on its instance', async () => {
    const hcl = `variable "apps" {
  default = {
    web = { repo = " docker.io/nginx/ ", tags = "latest,1.27" }
    api = { repo = "api", tags = "1.2,1.1" }
  }
}
${app(
  'var.apps',
  'join(":", [trimprefix(trimsuffix(trimspace(each.value.repo), "/"), "docker.io/"), element(split(",", each.value.tags), 0)])',
)}`;
    const objects = await declared(hcl);
    expect(objects.map(image)).toEqual(['api:1.2', 'nginx:latest']);
    expect(latest(objects)).toEqual([`${at(hcl, 'image = join')} kubernetes_deployment_v1.app["web"]`]);
  });

  it("each function's value, as Terraform computes it", async () => {
    const hcl = `variable "list" {
  default = ["b", "a", "", "b", "c"]
}

resource "kubernetes_config_map_v1" "fns" {
  metadata {
    name = "fns"
  }
  data = {
    replace    = replace("a.b.c", ".", "-")
    dollars    = replace("v1", "v", "$&")
    contains   = tostring(contains(var.list, "c"))
    missing    = tostring(contains(var.list, "z"))
    wraps      = element(var.list, 6)
    minmax     = format("%d/%d/%v", min(3, 1, 2), max(3, "7"), abs(2.5))
    substr     = substr("nginx:latest", 6, 10)
    middle     = substr("héllo wörld", 1, 4)
    starts     = tostring(startswith("nginx:latest", "nginx"))
    ends       = tostring(endswith("nginx:latest", ":1.27"))
    distinct   = join(",", distinct(var.list))
    reverse    = join(",", reverse(var.list))
    sort       = join(",", sort(["b", "B", "a", 10, 9]))
    compact    = join(",", compact(var.list))
    zipmap     = zipmap(["a", "b"], ["1", "2"]).b
    lookup     = lookup(zipmap(["a", "b"], ["1", "2"]), "b")
    try        = try(var.list[9], var.list[1], "never")
    can        = format("%t %t", can(var.list[9]), can(var.list[0]))
    expanded   = try(var.list...)
  }
}
`;
    const [fns] = await declared(hcl);
    expect(data(fns!)).toEqual({
      replace: 'a-b-c',
      dollars: '$&1',
      contains: 'true',
      missing: 'false',
      wraps: 'a',
      minmax: '1/7/2.5',
      substr: 'latest',
      middle: 'éllo',
      starts: 'true',
      ends: 'false',
      distinct: 'b,a,,c',
      reverse: 'c,b,,a,b',
      sort: '10,9,B,a,b',
      compact: 'b,a,b,c',
      // A member of a call is not read: unknown.
      zipmap: { expression: 'zipmap(["a", "b"], ["1", "2"]).b' },
      lookup: '2',
      try: 'a',
      can: 'false true',
      // try reads its arguments as written: an expanded one is not read.
      expanded: { expression: 'try(var.list...)' },
    });
  });

  it('try: the first argument known without error; an unknown one, or a missing attribute (maybe optional()), is unknown', async () => {
    const hcl = `variable "cfg" {
  default = { image = "nginx:latest", tags = ["1.27"] }
}
${[
  ['present', 'try(var.cfg.image, "nginx:1.27")'],
  ['index', 'try("nginx:${upper(var.cfg.tags[3])}", "nginx:latest")'],
  ['optional', 'try(var.cfg.registry, "nginx:latest")'],
  ['unknown', 'try(data.x.y, "nginx:latest")'],
]
  .map(([name, image]) => podResource(name!, image!))
  .join('\n')}`;
    const pods = (await declared(hcl)).filter((m) => m.ref.kind === 'Pod');
    const images = pods.map(
      (m) => (m.body.spec as { containers: Array<{ image: unknown }> }).containers[0]!.image,
    );
    expect(images).toEqual([
      'nginx:latest',
      'nginx:latest',
      { expression: 'try(var.cfg.registry, "nginx:latest")' },
      { expression: 'try(data.x.y, "nginx:latest")' },
    ]);
    expect(latest(pods)).toEqual([
      `${at(hcl, 'image = try(var.cfg.image')} kubernetes_pod_v1.present`,
      `${at(hcl, 'image = try("nginx')} kubernetes_pod_v1.index`,
    ]);
  });

  it('calls inside a template: "${upper(var.name)}-svc", "${format("%s:%s", var.repo, var.tag)}"', async () => {
    const hcl = `variable "name" {
  default = "web"
}

variable "repo" {
  default = "nginx"
}

variable "tag" {
  default = "latest"
}

variable "port" {
  default = 8080
}

variable "on" {
  default = true
}
${app('{ web = 1 }', '"${format("%s:%s", var.repo, var.tag)}"')}
resource "kubernetes_config_map_v1" "t" {
  metadata {
    name = "\${upper(var.name)}-svc"
  }
  data = {
    spaced  = "\${var.name} - \${lower("A B")} "
    numbers = "\${var.port}/\${var.on}/\${length(var.name)}"
    alone   = "\${var.port}"
    escaped = "$\${var.name} \\"\${var.name}\\""
    nested  = "\${join("-", [for s in ["a", "b"] : "\${s}\${var.port}"])}"
    strip   = "\${~ var.name ~}"
    unknown = "\${upper(data.x.y)}-svc"
  }
}
`;
    const objects = await declared(hcl);
    expect(objects.slice(0, 1).map(image)).toEqual(['nginx:latest']);
    expect(latest(objects.slice(0, 1))).toEqual([
      `${at(hcl, 'image = "${format')} kubernetes_deployment_v1.app["web"]`,
    ]);
    const cm = objects.find((m) => m.ref.kind === 'ConfigMap')!;
    expect(cm.ref.name).toBe('WEB-svc');
    expect(data(cm)).toEqual({
      spaced: 'web - a b ',
      numbers: '8080/true/3',
      // One interpolation alone is its value, as HCL unwraps it: the number.
      alone: 8080,
      escaped: '${var.name} "web"',
      nested: 'a8080-b8080',
      strip: { expression: '"${~ var.name ~}"' },
      unknown: { expression: '"${upper(data.x.y)}-svc"' },
    });
  });

  it('an expanded last argument: merge(var.maps...), concat(local.lists...)', async () => {
    const hcl = `variable "maps" {
  default = [{ web = "nginx:latest" }, { api = "api:1.2" }, { web = "nginx:1.27" }, { ui = "ui:latest" }]
}

locals {
  lists = [["a"], ["b", "c"]]
}
${app(
  'merge(var.maps...)',
  'each.value',
  `
resource "kubernetes_config_map_v1" "c" {
  metadata {
    name = "c"
  }
  data = {
    all     = join(",", concat(["z"], local.lists...))
    notlist = join(",", concat(var.missing...))
  }
}
`,
)}`;
    const objects = await declared(hcl);
    expect(names(objects)).toEqual([
      'app["api"] Deployment/api',
      'app["ui"] Deployment/ui',
      'app["web"] Deployment/web',
      'c ConfigMap/c',
    ]);
    expect(objects.slice(0, 3).map(image)).toEqual(['api:1.2', 'ui:latest', 'nginx:1.27']);
    expect(latest(objects)).toEqual([`${at(hcl, 'image = each.value')} kubernetes_deployment_v1.app["ui"]`]);
    expect(data(objects[3]!)).toEqual({
      all: 'z,a,b,c',
      notlist: { expression: 'join(",", concat(var.missing...))' },
    });
  });

  it('format verbs beyond %s and %d, as Terraform writes them; any other stays unknown', async () => {
    const hcl = `variable "tag" {
  default = "latest"
}
${app(
  '{ web = 1 }',
  'format("%v:%v", "nginx", var.tag)',
  `
resource "kubernetes_config_map_v1" "f" {
  metadata {
    name = "f"
  }
  data = {
    v       = format("%v|%v|%v|%v", "a", 8080, 1000000, true)
    q       = format("%q", "say \\"hi\\" <b>")
    t       = format("%t/%t", true, "false")
    f       = format("%f|%.2f|%8.3f|%-7.1f|%+.1f", 1.5, 3.14159, 2.5, 1.26, 2.04)
    x       = format("%x|%X|%o|%b", 255, 255, 8, 5)
    width   = format("[%5d][%-5d][%05d][%-5s][%5s][%.3s]", 42, 42, "-42", "ab", "ab", "abcdef")
    json    = format("%#v %#v %#v", "x", 3, null)
    percent = format("100%% %s", "sure")
    half    = format("%.2f", 2.675)
    e       = format("%e", 1)
    index   = format("%[1]s", "a")
    extra   = format("%s", "a", "b")
  }
}
`,
)}`;
    const objects = await declared(hcl);
    expect(latest(objects)).toEqual([`${at(hcl, 'image = format')} kubernetes_deployment_v1.app["web"]`]);
    expect(data(objects[1]!)).toEqual({
      v: 'a|8080|1e+06|true',
      q: '"say \\"hi\\" \\u003cb\\u003e"',
      t: 'true/false',
      f: '1.500000|3.14|   2.500|1.3    |+2.0',
      x: 'ff|FF|10|101',
      width: '[   42][42   ][-0042][ab   ][   ab][abc]',
      json: '"x" 3 null',
      percent: '100% sure',
      // Exactly half-way: Terraform's 512-bit number may round either way.
      half: { expression: 'format("%.2f", 2.675)' },
      e: { expression: 'format("%e", 1)' },
      index: { expression: 'format("%[1]s", "a")' },
      extra: { expression: 'format("%s", "a", "b")' },
    });
  });

  it('slipway check --var tag=latest: the image a template call builds is found at its argument, on its instance', async () => {
    const hcl = `variable "repos" {
  default = [{ web = "nginx" }, { api = "api" }]
}

variable "tag" {
  type    = string
  default = "1.27"
}
${app('merge(var.repos...)', '"${format("%s:%s", trimspace(each.value), var.tag)}"')}`;
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-more-'));
    writeFileSync(join(dir, 'main.tf'), hcl);
    const run = async (...args: string[]) => {
      const io = memoryIo({ cwd: dir });
      expect(
        await main(['node', 'slipway', 'check', '-o', 'json', '--fail-on', 'none', ...args, '.'], io.io),
      ).toBe(0);
      expect(io.stderr()).toBe('');
      return (JSON.parse(io.stdout()) as JsonReport).findings
        .filter((f) => f.rule === 'img-latest-tag')
        .map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`);
    };
    expect(await run()).toEqual([]);
    expect(await run('--var', 'tag=latest')).toEqual([
      `main.tf:${at(hcl, 'image = "')} container "api" uses the latest tag (api:latest) (kubernetes_deployment_v1.app["api"])`,
      `main.tf:${at(hcl, 'image = "')} container "web" uses the latest tag (nginx:latest) (kubernetes_deployment_v1.app["web"])`,
    ]);
  });

  it('toset(...) wherever a value is computed: a local for_each, length(toset(...)), a for over a set', async () => {
    const hcl = `variable "names" {
  default = ["web", "api", "web"]
}

locals {
  names = toset(var.names)
  first = local.names[0]
}

resource "kubernetes_config_map_v1" "shard" {
  count = length(toset(var.names))
  metadata {
    name = "shard-\${count.index}"
  }
}

resource "kubernetes_service_account_v1" "sa" {
  for_each = local.names
  metadata {
    name = "\${each.key}-sa"
  }
}

resource "kubernetes_config_map_v1" "over" {
  metadata {
    name = "over"
  }
  data = {
    upper  = join(",", [for n in toset(var.names) : upper(n)])
    pairs  = join(",", [for k, v in local.names : "\${k}=\${v}"])
    mixed  = join(",", toset(["b", 1, "a", 1]))
    first  = local.first
    concat = join(",", concat(local.names))
  }
}
`;
    const objects = await declared(hcl);
    expect(names(objects)).toEqual([
      'shard[0] ConfigMap/shard-0',
      'shard[1] ConfigMap/shard-1',
      'sa["api"] ServiceAccount/api-sa',
      'sa["web"] ServiceAccount/web-sa',
      'over ConfigMap/over',
    ]);
    expect(data(objects.at(-1)!)).toEqual({
      upper: 'API,WEB',
      pairs: 'api=api,web=web',
      mixed: '1,a,b',
      // A set has no index: Terraform refuses local.names[0].
      first: { expression: 'local.first' },
      // concat takes lists and tuples only: Terraform refuses a set.
      concat: { expression: 'join(",", concat(local.names))' },
    });
  });
});

describe("a module's variables, locals and .tfvars", () => {
  it('local.* and members of var.* and local.* are put in; a local that refers back to itself stays unknown', async () => {
    const hcl = `variable "app" {
  default = "shop"
}

locals {
  labels = { app = var.app, tier = "web" }
  image  = "nginx:latest"
  ports  = [8080]
  a      = local.b
  b      = local.a
}

resource "kubernetes_deployment_v1" "d" {
  metadata {
    name   = var.app
    labels = local.labels
  }
  spec {
    selector {
      match_labels = { app = local.labels.app }
    }
    template {
      metadata {
        labels = local.labels
      }
      spec {
        container {
          name        = "web"
          image       = local.image
          working_dir = local.a
          port {
            container_port = local.ports[0]
          }
        }
      }
    }
  }
}
`;
    const [d] = await declared(hcl);
    const body = d!.body as {
      metadata: object;
      spec: { selector: object; template: { metadata: object; spec: { containers: object[] } } };
    };
    expect(body.metadata).toEqual({ name: 'shop', labels: { app: 'shop', tier: 'web' } });
    expect(body.spec.selector).toEqual({ matchLabels: { app: 'shop' } });
    expect(body.spec.template.metadata).toEqual({ labels: { app: 'shop', tier: 'web' } });
    expect(body.spec.template.spec.containers[0]).toEqual({
      name: 'web',
      image: 'nginx:latest',
      workingDir: { expression: 'local.a' },
      ports: [{ containerPort: 8080 }],
    });
    const found = check({ manifests: [d!], options }).findings.filter((f) => f.rule === 'img-latest-tag');
    expect(found.map((f) => `${f.line}:${f.column}`)).toEqual([at(hcl, 'image       = local.image')]);
  });

  it("a root module's values come from all its files and its .tfvars (auto.tfvars last); a call's arguments get them too", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-vars-'));
    mkdirSync(join(dir, 'modules', 'rbac'), { recursive: true });
    const main_ = `${webDeployment('local.namespace')}

module "ops" {
  source    = "./modules/rbac"
  namespace = local.namespace
  verbs     = var.verbs
}
`;
    const module = `variable "namespace" {}
variable "verbs" {}

resource "kubernetes_role_v1" "app" {
  metadata {
    name      = "app"
    namespace = var.namespace
  }
  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = var.verbs
  }
}
`;
    writeFileSync(join(dir, 'main.tf'), main_);
    writeFileSync(
      join(dir, 'variables.tf'),
      'variable "image" {\n  default = "nginx:1.27"\n}\n\nvariable "replicas" {\n  default = 3\n}\n\nvariable "verbs" {\n  default = ["get"]\n}\n',
    );
    writeFileSync(join(dir, 'locals.tf'), 'locals {\n  namespace = "shop"\n}\n');
    writeFileSync(join(dir, 'terraform.tfvars'), 'image = "nginx:latest"\nreplicas = 2\n');
    writeFileSync(join(dir, 'z.auto.tfvars.json'), '{"replicas": 1, "verbs": ["*"]}\n');
    writeFileSync(join(dir, 'modules', 'rbac', 'main.tf'), module);
    const io = memoryIo({ cwd: dir });
    expect(await main(['node', 'slipway', 'check', '-o', 'json', '.'], io.io)).toBe(0);
    const report = JSON.parse(io.stdout()) as {
      findings: Array<{ rule: string; file: string; line: number; column: number; object: object }>;
    };
    const shown = (rule: string) =>
      report.findings.filter((f) => f.rule === rule).map((f) => `${f.file}:${f.line}:${f.column}`);
    // terraform.tfvars sets the image over the default; the .auto.tfvars.json, read after it, one replica.
    expect(shown('img-latest-tag')).toEqual([`main.tf:${at(main_, 'image = var.image')}`]);
    expect(shown('avail-min-replicas')).toEqual([`main.tf:${at(main_, 'replicas = var.replicas')}`]);
    expect(report.findings.find((f) => f.rule === 'img-latest-tag')!.object).toMatchObject({
      kind: 'Deployment',
      namespace: 'shop',
    });
    // The call passes local.namespace and var.verbs (from the .tfvars.json) to the module: the
    // finding on the verbs is at the call's argument.
    expect(shown('rbac-wildcard')).toEqual([`main.tf:${at(main_, 'verbs     = var.verbs')}`]);
    expect(report.findings.find((f) => f.rule === 'rbac-wildcard')!.object).toMatchObject({
      kind: 'Role',
      namespace: 'shop',
    });
  });

  it('--var-file values come after the .tfvars of each root module; a missing one is exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-varfile-'));
    const hcl =
      'variable "image" {\n  default = "nginx:1.27"\n}\n\nresource "kubernetes_pod_v1" "p" {\n  metadata { name = "p" }\n  spec {\n    container {\n      name  = "p"\n      image = var.image\n    }\n  }\n}\n';
    writeFileSync(join(dir, 'main.tf'), hcl);
    writeFileSync(join(dir, 'a.auto.tfvars'), 'image = "nginx:1.28"\n');
    mkdirSync(join(dir, 'envs'));
    writeFileSync(join(dir, 'envs', 'prod.tfvars'), 'image = "nginx:latest"\n');
    // A directory named like a values file is not one.
    mkdirSync(join(dir, 'z.auto.tfvars'));
    const latest = async (...args: string[]) => {
      const io = memoryIo({ cwd: dir });
      expect(await main(['node', 'slipway', 'check', '-o', 'json', ...args, '.'], io.io)).toBe(0);
      const report = JSON.parse(io.stdout()) as {
        findings: Array<{ rule: string; line: number; column: number }>;
      };
      return report.findings.filter((f) => f.rule === 'img-latest-tag').map((f) => `${f.line}:${f.column}`);
    };
    expect(await latest()).toEqual([]);
    expect(await latest('--var-file', 'envs/prod.tfvars')).toEqual([at(hcl, 'image = var.image')]);
    const io = memoryIo({ cwd: dir });
    expect(await main(['node', 'slipway', 'check', '--var-file', 'envs/none.tfvars', '.'], io.io)).toBe(2);
    expect(io.stderr()).toContain('--var-file envs/none.tfvars: no such file');
  });

  it('TF_VAR_*, the .tfvars files, then --var and --var-file in command-line order, each typed by its declaration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-var-'));
    const hcl = `variable "image" {}

variable "replicas" {
  type    = number
  default = 3
}

variable "privileged" {
  type    = bool
  default = false
}

variable "verbs" {
  type    = list(string)
  default = ["get"]
}

${webDeployment('"shop"', { container: '\n          security_context {\n            privileged = var.privileged\n          }' })}

resource "kubernetes_role_v1" "app" {
  metadata {
    name      = "app"
    namespace = "shop"
  }
  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = var.verbs
  }
}
`;
    writeFileSync(join(dir, 'main.tf'), hcl);
    writeFileSync(join(dir, 'two.tfvars'), 'replicas = 2\n');
    const run = async (args: string[], env: Record<string, string> = {}) => {
      const io = memoryIo({ cwd: dir, env });
      const code = await main(
        ['node', 'slipway', 'check', '-o', 'json', '--fail-on', 'none', ...args, '.'],
        io.io,
      );
      if (code !== 0) {
        // -o json reports a bad input as JSON: its problems' messages.
        const { error } = JSON.parse(io.stdout()) as {
          error: { message?: string; problems?: Array<{ message: string }> };
        };
        return {
          code,
          err: (error.problems ?? [error]).map((p) => p.message).join('\n'),
          rules: [] as string[],
        };
      }
      const report = JSON.parse(io.stdout()) as {
        findings: Array<{ rule: string; line: number; column: number }>;
      };
      const rules = ['img-latest-tag', 'avail-min-replicas', 'pss-privileged', 'rbac-wildcard'].filter((r) =>
        report.findings.some((f) => f.rule === r),
      );
      return { code, err: '', rules };
    };
    // The environment sets an undeclared-type (string) and a number variable; a TF_VAR_ nobody declares is ignored.
    expect(
      (await run([], { TF_VAR_image: 'nginx:latest', TF_VAR_replicas: '1', TF_VAR_other: 'x' })).rules,
    ).toEqual(['img-latest-tag', 'avail-min-replicas']);
    // A root module's terraform.tfvars is over the environment.
    writeFileSync(join(dir, 'terraform.tfvars'), 'replicas = 2\n');
    expect((await run([], { TF_VAR_replicas: '1' })).rules).toEqual([]);
    // --var and --var-file: the later one wins.
    expect((await run(['--var', 'replicas=1'])).rules).toEqual(['avail-min-replicas']);
    expect((await run(['--var', 'replicas=1', '--var-file', 'two.tfvars'])).rules).toEqual([]);
    expect((await run(['--var-file', 'two.tfvars', '--var', 'replicas=1'])).rules).toEqual([
      'avail-min-replicas',
    ]);
    // A bool from text, a list parsed as HCL.
    expect((await run(['--var', 'privileged=true', '--var', 'verbs=["*"]'])).rules).toEqual([
      'pss-privileged',
      'rbac-wildcard',
    ]);
    // Bad values and names are exit 2 with the option named.
    const bad = await run(['--var', 'replicas=many', '--var', 'verbs=["*"', '--var', 'nope=1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--var replicas: "many" is not a number');
    expect(bad.err).toContain('--var verbs: not a valid Terraform value for a variable of type list(string)');
    expect(bad.err).toContain('--var nope: no root module checked declares a variable "nope"');
    // A reference is refused, as terraform plan refuses it, not taken as an unknown value.
    const reference = await run(['--var', 'verbs=local.verbs']);
    expect(reference.code).toBe(2);
    expect(reference.err).toContain('--var verbs: local.verbs is not a literal value');
    const env = await run([], { TF_VAR_privileged: 'maybe' });
    expect(env.code).toBe(2);
    expect(env.err).toContain('TF_VAR_privileged: "maybe" is not a bool');
    const shape = await run(['--var', 'replicas']);
    expect(shape.code).toBe(2);
    expect(shape.err).toContain('--var replicas: expected name=value');
  });

  it('a .tfvars that does not parse, or holds a block, is bad input at file:line:col (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-badvars-'));
    writeFileSync(
      join(dir, 'main.tf'),
      'variable "image" {}\n\nresource "kubernetes_pod_v1" "p" {\n  metadata { name = "p" }\n  spec {\n    container {\n      name  = "p"\n      image = var.image\n    }\n  }\n}\n',
    );
    writeFileSync(join(dir, 'terraform.tfvars'), 'image = "nginx"\nreplicas = \n');
    writeFileSync(join(dir, 'b.auto.tfvars'), 'image = "nginx"\n\nlocals {\n  x = 1\n}\n');
    writeFileSync(join(dir, 'c.auto.tfvars.json'), '{"image": "nginx",\n "x": }\n');
    const io = memoryIo({ cwd: dir });
    expect(await main(['node', 'slipway', 'check', '.'], io.io)).toBe(2);
    const err = io.stderr();
    expect(err).toMatch(/terraform\.tfvars:3:1\b/);
    expect(err).toMatch(/b\.auto\.tfvars:3:1\b.*a block \(locals\) in a variable values file/);
    expect(err).toMatch(/c\.auto\.tfvars\.json:2:7\b.*not valid JSON/);
  });
});

describe("a module block's for_each and count: one instance of the module per element or index", () => {
  // The web Deployment with its namespace, image and replicas from the call.
  const MODULE = `variable "namespace" {}

variable "image" {}

variable "replicas" {
  default = 1
}

${webDeployment('var.namespace')}
`;

  // A Deployment every rule passes, with its PodDisruptionBudget and NetworkPolicy, but for
  // what each instance passes: image, replicas and a read-only root filesystem.
  const HARDENED = `variable "namespace" {}

variable "image" {}

variable "replicas" {
  default = 1
}

variable "read_only" {
  default = true
}

resource "kubernetes_deployment_v1" "web" {
  metadata {
    name      = "web"
    namespace = var.namespace
    labels    = { app = "web", "app.kubernetes.io/name" = "web" }
  }
  spec {
    replicas = var.replicas
    selector {
      match_labels = { app = "web" }
    }
    template {
      metadata {
        labels = { app = "web", "app.kubernetes.io/name" = "web" }
      }
      spec {
        automount_service_account_token = false
        security_context {
          run_as_non_root = true
          run_as_user     = 10001
          run_as_group    = 10001
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }
        topology_spread_constraint {
          max_skew           = 1
          topology_key       = "kubernetes.io/hostname"
          when_unsatisfiable = "ScheduleAnyway"
          label_selector {
            match_labels = { app = "web" }
          }
        }
        container {
          name  = "web"
          image = var.image
          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = var.read_only
            capabilities {
              drop = ["ALL"]
            }
          }
          resources {
            requests = { cpu = "100m", memory = "128Mi", "ephemeral-storage" = "100Mi" }
            limits   = { cpu = "500m", memory = "128Mi", "ephemeral-storage" = "100Mi" }
          }
          liveness_probe {
            http_get {
              path = "/healthz"
              port = 8080
            }
          }
          readiness_probe {
            http_get {
              path = "/ready"
              port = 8080
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_pod_disruption_budget_v1" "web" {
  metadata {
    name      = "web"
    namespace = var.namespace
  }
  spec {
    min_available = 1
    selector {
      match_labels = { app = "web" }
    }
  }
}

resource "kubernetes_network_policy_v1" "web" {
  metadata {
    name      = "web"
    namespace = var.namespace
  }
  spec {
    pod_selector {
      match_labels = { app = "web" }
    }
    policy_types = ["Ingress", "Egress"]
  }
}
`;

  /** What `check -o json` prints. */
  type Report = JsonReport;

  function layout(root: string, modules: Record<string, string> = { web: MODULE }): string {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-module-each-'));
    for (const [name, text] of Object.entries(modules)) {
      mkdirSync(join(dir, 'modules', name), { recursive: true });
      writeFileSync(join(dir, 'modules', name, 'main.tf'), text);
    }
    mkdirSync(join(dir, 'env'));
    writeFileSync(join(dir, 'env', 'main.tf'), root);
    return dir;
  }

  async function run(dir: string, ...args: string[]): Promise<Report> {
    const io = memoryIo({ cwd: dir });
    expect(
      await main(['node', 'slipway', 'check', '-o', 'json', '--fail-on', 'none', ...args, '.'], io.io),
    ).toBe(0);
    expect(io.stderr()).toBe('');
    return JSON.parse(io.stdout()) as Report;
  }

  /** The resource address a finding's message names: `module.web["a"].kubernetes_deployment_v1.web`. */
  const address = (f: Report['findings'][number]) =>
    /\(((?:module\.|kubernetes_)[^\s,)]+)/.exec(f.message)?.[1];
  /** The rules reported on each address, sorted. */
  function byAddress(report: Report): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const f of report.findings) (out[address(f) ?? ''] ??= []).push(f.rule);
    for (const rules of Object.values(out)) rules.sort();
    return out;
  }

  /** Each finding as a user reads it: rule, namespace, file:line:col and the address, sorted. */
  const shown = (report: Report) =>
    report.findings
      .map((f) => `${f.rule} ${f.object.namespace} ${f.file}:${f.line}:${f.column} ${address(f)}`)
      .sort();
  const careless = 'module.web["careless"]';
  /**
   * What the careless instance of HARDENED is told, sorted as `shown`: its latest image, single
   * replica and writable root at the places given (in env/main.tf), and the module's own PDB
   * literal judged against that single replica.
   */
  const carelessFindings = (places: { image: string; replicas: string; readOnly: string }) =>
    [
      `img-latest-tag careless env/main.tf:${places.image} ${careless}.kubernetes_deployment_v1.web`,
      `avail-min-replicas careless env/main.tf:${places.replicas} ${careless}.kubernetes_deployment_v1.web`,
      `sec-read-only-root-fs careless env/main.tf:${places.readOnly} ${careless}.kubernetes_deployment_v1.web`,
      `avail-pdb-blocks-eviction careless modules/web/main.tf:${at(HARDENED, 'min_available')} ${careless}.kubernetes_pod_disruption_budget_v1.web`,
    ].sort();

  it('for_each over a map: each.key and each.value per instance, findings on the careless one only, at its element of the map', async () => {
    const root = `module "web" {
  source = "../modules/web"
  for_each = {
    careless = { image = "nginx:latest", replicas = 1, read_only = false }
    hardened = { image = "nginx:1.27", replicas = 3, read_only = true }
  }
  namespace = each.key
  image     = each.value.image
  replicas  = each.value["replicas"]
  read_only = each.value.read_only
}
`;
    const report = await run(layout(root, { web: HARDENED }));
    // Both instances are judged: the 3 Terraform resources, and their 3 objects per instance.
    expect(report.summary.objects).toBe(9);
    // A value taken from each.value: at its element of the for_each map.
    expect(shown(report)).toEqual(
      carelessFindings({
        image: at(root, 'image = "nginx:latest"'),
        replicas: at(root, 'replicas = 1'),
        readOnly: at(root, 'read_only = false'),
      }),
    );
    // The same map from a variable: its elements' places are not kept, each.value is placed at for_each.
    const fromVariable = `variable "apps" {
  default = {
    careless = { image = "nginx:latest", replicas = 1, read_only = false }
    hardened = { image = "nginx:1.27", replicas = 3, read_only = true }
  }
}

${root.replace(/for_each = \{[^]*?\n {2}\}/, 'for_each = var.apps')}`;
    const placed = (await run(layout(fromVariable, { web: HARDENED }))).findings
      .filter((f) => f.file === 'env/main.tf')
      .map((f) => `${f.rule} ${f.line}:${f.column} ${address(f)}`);
    expect(placed.sort()).toEqual(
      ['avail-min-replicas', 'img-latest-tag', 'sec-read-only-root-fs'].map(
        (rule) => `${rule} ${at(fromVariable, 'for_each')} ${careless}.kubernetes_deployment_v1.web`,
      ),
    );
  });

  it('for_each = { for s in var.services : s.name => s }: one instance per element, findings on the careless one only, at for_each', async () => {
    const root = `variable "services" {
  default = [
    { name = "careless", image = "nginx:latest", replicas = 1, read_only = false },
    { name = "hardened", image = "nginx:1.27", replicas = 3, read_only = true },
  ]
}

module "web" {
  source    = "../modules/web"
  for_each  = { for s in var.services : s.name => s }
  namespace = each.key
  image     = each.value.image
  replicas  = each.value.replicas
  read_only = each.value.read_only
}
`;
    const report = await run(layout(root, { web: HARDENED }));
    expect(report.summary.objects).toBe(9);
    // The map is computed, not written: each.value is placed at for_each.
    const forEach = at(root, 'for_each');
    expect(shown(report)).toEqual(carelessFindings({ image: forEach, replicas: forEach, readOnly: forEach }));
  });

  it('count = 2: two instances, module.web[0] and module.web[1], with count.index', async () => {
    const root = `module "web" {
  source    = "../modules/web"
  count     = 2
  namespace = "shard-\${count.index}"
  image     = "nginx:latest"
}
`;
    const latest = (await run(layout(root))).findings
      .filter((f) => f.rule === 'img-latest-tag')
      .map((f) => `${f.object.namespace} ${f.file}:${f.line}:${f.column} ${address(f)}`);
    expect(latest).toEqual([
      `shard-0 env/main.tf:${at(root, 'image')} module.web[0].kubernetes_deployment_v1.web`,
      `shard-1 env/main.tf:${at(root, 'image')} module.web[1].kubernetes_deployment_v1.web`,
    ]);
  });

  it('count = var.enabled ? 1 : 0: --var enabled=false judges none of the module, enabled gives module.web[0]', async () => {
    const root = `variable "enabled" {
  type    = bool
  default = true
}

module "web" {
  source    = "../modules/web"
  count     = var.enabled ? 1 : 0
  namespace = "web"
  image     = "nginx:latest"
}
`;
    const dir = layout(root);
    expect(Object.keys(byAddress(await run(dir)))).toEqual(['module.web[0].kubernetes_deployment_v1.web']);
    expect((await run(dir, '--var', 'enabled=false')).findings).toEqual([]);
  });

  it('count and for_each on one module block: exit 2 at the block, saying to keep one', async () => {
    const root = `module "web" {
  source    = "../modules/web"
  count     = 2
  for_each  = toset(["a", "b"])
  namespace = each.key
  image     = "nginx:1.27"
}
`;
    const io = memoryIo({ cwd: layout(root) });
    expect(await main(['node', 'slipway', 'check', '.'], io.io)).toBe(2);
    expect(io.stderr()).toMatch(/env\/main\.tf:1:1\b.*module "web" sets both count and for_each/);
    expect(io.stderr()).toMatch(/keep one/);
  });

  it('a module called inside a for_each module: module.app["a"].module.web[0]..., values passed down through both calls', async () => {
    const app = `variable "namespace" {}

variable "image" {}

module "web" {
  source    = "../web"
  count     = 1
  namespace = var.namespace
  image     = var.image
}
`;
    const root = `module "app" {
  source    = "../modules/app"
  for_each  = toset(["b", "a"])
  namespace = "team-\${each.key}"
  image     = each.key == "a" ? "nginx:1.27" : "nginx:latest"
}
`;
    const report = await run(layout(root, { web: MODULE, app }));
    expect(Object.keys(byAddress(report)).sort()).toEqual([
      'module.app["a"].module.web[0].kubernetes_deployment_v1.web',
      'module.app["b"].module.web[0].kubernetes_deployment_v1.web',
    ]);
    expect([...new Set(report.findings.map((f) => f.object.namespace))].sort()).toEqual(['team-a', 'team-b']);
    // A value the inner call passes is placed at its argument, in the calling module's file.
    const replicas = report.findings
      .filter((f) => f.rule === 'avail-min-replicas')
      .map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`);
    expect(replicas).toEqual([
      `modules/web/main.tf:${at(MODULE, 'replicas = var.replicas')} 1 replica: a rollout or node failure is an outage (module.app["a"].module.web[0].kubernetes_deployment_v1.web, called from modules/app)`,
      `modules/web/main.tf:${at(MODULE, 'replicas = var.replicas')} 1 replica: a rollout or node failure is an outage (module.app["b"].module.web[0].kubernetes_deployment_v1.web, called from modules/app)`,
    ]);
  });
});

describe("Terraform's operators, for over a set, and Terraform's errors on known values", () => {
  /** A Deployment per instance of `forEach`, with `replicas` as written. */
  const deployments = (forEach: string, replicas: string) => `
resource "kubernetes_deployment_v1" "app" {
  for_each = ${forEach}
  metadata {
    name      = each.key
    namespace = "shop"
  }
  spec {
    replicas = ${replicas}
    selector {
      match_labels = { app = each.key }
    }
    template {
      metadata {
        labels = { app = each.key }
      }
      spec {
        container {
          name  = each.key
          image = "\${each.key}:1.0"
        }
      }
    }
  }
}
`;
  const replicaFindings = (objects: Manifest[]) =>
    check({ manifests: objects, options })
      .findings.filter((f) => f.rule === 'avail-min-replicas')
      .map((f) => `${f.line}:${f.column} ${/\((kubernetes_[^\s,)]+)/.exec(f.message)?.[1]}`);

  it('count = var.base > 1 ? 1 : 0, replicas = var.base * each.value.scale - 1, if s.port >= 1024 && !s.internal', async () => {
    const hcl = `variable "services" {
  default = {
    web   = { port = 8080, scale = "1", internal = false }
    cache = { port = 6379, scale = 2, internal = false }
    api   = { port = 80, scale = 1, internal = false }
    db    = { port = 5432, scale = 1, internal = true }
  }
}

variable "base" {
  type    = number
  default = "2"
}
${deployments(
  '{ for name, s in var.services : name => s if s.port >= 1024 && !s.internal }',
  'var.base * each.value.scale - 1',
)}
resource "kubernetes_config_map_v1" "debug" {
  count = var.base > 1 ? 1 : 0
  metadata {
    name = "debug-\${var.base % 2 == 0 ? "even" : "odd"}-\${-var.base + 0.5}"
  }
}

resource "kubernetes_config_map_v1" "never" {
  count = var.base != 2 || !(var.base >= 2) ? 1 : 0
  metadata {
    name = "never"
  }
}

resource "kubernetes_config_map_v1" "unknown" {
  count = var.missing * 2 > 1 ? 1 : 0
  metadata {
    name = "unknown"
  }
  data = { replicas = var.base * var.missing, word = var.base + "two" }
}
`;
    const objects = await declared(hcl);
    // Port 80 and the internal db are dropped by the condition; never's count is 0 (the default
    // "2" is the number 2, as Terraform converts it to the declared type: var.base != 2 is false).
    expect(addresses(objects)).toEqual([
      'app["cache"] cache',
      'app["web"] web',
      'debug[0] debug-even--1.5',
      'unknown unknown',
    ]);
    // 2 * 2 - 1 and 2 * "1" - 1 (the string converted, * before -): web's single replica is found.
    expect(objects.map((m) => (m.body.spec as { replicas?: unknown } | undefined)?.replicas)).toEqual([
      3,
      1,
      undefined,
      undefined,
    ]);
    expect(replicaFindings(objects)).toEqual([
      `${at(hcl, 'replicas = var.base')} kubernetes_deployment_v1.app["web"]`,
    ]);
    // An unknown operand, or a word in arithmetic (Terraform's error), stays unknown.
    expect(objects[3]!.body.data).toEqual({
      replicas: { expression: 'var.base * var.missing' },
      word: { expression: 'var.base + "two"' },
    });
  });

  it('for over a set (toset(), a set(string) variable): sorted, the key symbol the element; over a map with one symbol: its values', async () => {
    const hcl = `variable "names" {
  default = ["web", "api", "web"]
}

variable "teams" {
  type    = set(string)
  default = ["shop", "ads"]
}

variable "images" {
  default = { web = "nginx:latest", api = "api:1.2" }
}
${deployments('{ for n in toset(var.names) : n => n }', '2')}
resource "kubernetes_config_map_v1" "teams" {
  metadata {
    name = "teams"
  }
  data = { for k, t in var.teams : k => upper(t) }
}

resource "kubernetes_pod_v1" "images" {
  metadata {
    name = "images"
  }
  spec {
    dynamic "container" {
      for_each = [for image in var.images : image]
      content {
        name  = "c\${container.key}"
        image = container.value
      }
    }
  }
}
`;
    const objects = await declared(hcl);
    expect(addresses(objects)).toEqual(['app["api"] api', 'app["web"] web', 'teams teams', 'images images']);
    expect(objects[2]!.body.data).toEqual({ ads: 'ADS', shop: 'SHOP' });
    const pod = objects[3]!.body.spec as { containers: object[] };
    expect(pod.containers).toEqual([
      { name: 'c0', image: 'api:1.2' },
      { name: 'c1', image: 'nginx:latest' },
    ]);
    const latest = check({ manifests: objects, options }).findings.filter((f) => f.rule === 'img-latest-tag');
    expect(latest.map((f) => `${f.line}:${f.column} ${f.field}`)).toEqual([
      `${at(hcl, 'image = container.value')} spec.containers[1].image`,
    ]);
  });

  it('a set is one kind of value: a set(...) variable (through a local too), toset() of numbers or of mixed values, in a for, length, contains, for_each', async () => {
    const hcl = `variable "names" {
  type    = set(string)
  default = ["b", "a", "b"]
}

variable "ports" {
  type    = set(number)
  default = ["2", 1, 2]
}

variable "nums" {
  default = [3, 1, 2, 1]
}

variable "mixed" {
  default = ["b", 1]
}

locals {
  names = var.names
}
${deployments('toset(var.mixed)', '2')}
resource "kubernetes_config_map_v1" "sets" {
  metadata {
    name = "sets"
  }
  data = {
    names    = join(",", [for k, v in local.names : "\${k}=\${v}"])
    length   = length(var.names)
    ports    = join(",", [for k, v in var.ports : "\${k}=\${v}"])
    contains = contains(var.ports, 2)
    nums     = join(",", [for n in toset(var.nums) : n])
  }
}
`;
    const objects = await declared(hcl);
    expect(addresses(objects)).toEqual(['app["1"] 1', 'app["b"] b', 'sets sets']);
    expect(objects[2]!.body.data).toEqual({
      names: 'a=a,b=b',
      length: 2,
      ports: '1=1,2=2',
      contains: true,
      nums: '1,2,3',
    });
  });

  /** `slipway check .` in a directory holding `files`: its exit code and what it wrote. */
  async function checked(files: Record<string, string>): Promise<{ code: number; out: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-refused-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const io = memoryIo({ cwd: dir });
    const code = await main(['node', 'slipway', 'check', '.'], io.io);
    return { code, out: `${io.stdout()}${io.stderr()}` };
  }

  it('for_each over a list or a tuple: exit 2 at the expression, Terraform\'s "Invalid for_each argument", the hint toset(); toset() is judged', async () => {
    const names = `variable "names" {
  type    = list(string)
  default = ["web", "api"]
}
`;
    const list = `${names}${deployments('var.names', '1')}`;
    const refused = await checked({ 'main.tf': list });
    expect(refused.code).toBe(2);
    expect(refused.out).toContain(
      `main.tf:${at(list, 'var.names')}: Invalid for_each argument: the "for_each" argument must be a map, or set of strings, and you have provided a value of type list of string`,
    );
    expect(refused.out).toContain('hint: wrap it in toset() (for_each = toset(var.names))');
    expect(refused.out).not.toMatch(/avail-min-replicas/);
    // A tuple written, a local, or [for ...] in a module block; an untyped variable's literal default.
    const module = `module "web" {
  source   = "./web"
  for_each = local.teams
}

locals {
  teams = [for t in ["a", "b"] : t]
}
`;
    const web = `variable "team" {
  default = "x"
}
${deployments('["a", "b"]', '1')}`;
    const tuple = await checked({
      'main.tf': module,
      'web/main.tf': web.replace('["a", "b"]', 'toset(["a"])'),
    });
    expect(tuple.code).toBe(2);
    // At the for_each expression, as Terraform places it (not at the local it names).
    expect(tuple.out).toContain(`main.tf:${at(module, 'local.teams')}: Invalid for_each argument:`);
    expect(tuple.out).toContain('a value of type tuple');
    expect(tuple.out).toContain('toset(local.teams)');
    const literal = await checked({ 'main.tf': web });
    expect(literal.code).toBe(2);
    expect(literal.out).toContain(`main.tf:${at(web, '["a", "b"]')}: Invalid for_each argument:`);
    const untyped = `variable "names" {
  default = ["web", "api"]
}
${deployments('var.names', '1')}`;
    expect((await checked({ 'main.tf': untyped })).out).toContain(
      `main.tf:${at(untyped, 'var.names')}: Invalid`,
    );
    // A function that returns a list: keys() of a map.
    const keys = `variable "apps" {
  default = { web = 1 }
}
${deployments('keys(var.apps)', '1')}`;
    expect((await checked({ 'main.tf': keys })).out).toContain(
      `main.tf:${at(keys, 'keys(var.apps)')}: Invalid for_each argument: the "for_each" argument must be a map, or set of strings, and you have provided a value of type list of string`,
    );
    // A set a call passes is a set to a variable without a type (judged), a list to a list(string) one (refused).
    const call = `module "web" {
  source = "./web"
  names  = toset(["a", "b"])
}
`;
    const passed = `variable "names" {}
${deployments('var.names', '2')}`;
    expect((await checked({ 'main.tf': call, 'web/main.tf': passed })).code).toBe(0);
    const asList = await checked({
      'main.tf': call,
      'web/main.tf': passed.replace('variable "names" {}', 'variable "names" {\n  type = list(string)\n}'),
    });
    expect(asList.code).toBe(2);
    expect(asList.out).toContain('Invalid for_each argument');
    // A set chosen by a conditional, in a local or written in for_each, is judged, never refused.
    const chosen = `variable "names" {
  type    = set(string)
  default = ["b", "a"]
}

locals {
  on = length(var.names) > 1 ? toset(["x"]) : toset([])
}
${deployments('local.on', '1').replace('"app"', '"on"')}${deployments('length(var.names) > 1 ? var.names : toset([])', '1')}`;
    const sets = await checked({ 'main.tf': chosen });
    expect(sets.code).toBe(0);
    for (const address of ['on["x"]', 'app["a"]', 'app["b"]'])
      expect(sets.out).toContain(`(kubernetes_deployment_v1.${address})`);
    // Wrapped in toset(), each instance is judged: the single replica at its line, per address.
    const set = list.replace('for_each = var.names', 'for_each = toset(var.names)');
    const judged = await checked({ 'main.tf': set });
    expect(judged.code).toBe(0);
    for (const name of ['api', 'web'])
      expect(judged.out).toMatch(
        new RegExp(
          `main\\.tf:${at(set, 'replicas = 1')} +info +1 replica: [^\\n]*\\(kubernetes_deployment_v1\\.app\\["${name}"\\]\\)`,
        ),
      );
  });

  it('a for whose object form gives one key twice: exit 2 at the for ("Duplicate object key"); with ... the values are grouped', async () => {
    const services = `variable "services" {
  default = [
    { name = "web", team = "shop" },
    { name = "cart", team = "shop" },
  ]
}
`;
    const twice = `${services}${deployments('{ for s in var.services : s.team => s }', '1')}`;
    const refused = await checked({ 'main.tf': twice });
    expect(refused.code).toBe(2);
    expect(refused.out).toContain(
      `main.tf:${at(twice, '{ for s')}: Duplicate object key: two elements of this for expression give the key "shop"`,
    );
    expect(refused.out).toMatch(/hint: make the keys unique, or write \.\.\./);
    const grouped = `${services}${deployments('{ for s in var.services : s.team => s.name... }', 'length(each.value)')}`;
    const judged = await checked({ 'main.tf': grouped });
    expect(judged.code).toBe(0);
    expect(judged.out).not.toMatch(/Duplicate/);
  });
});

describe("the parser's trees", () => {
  it('are freed after each read (web-tree-sitter memory is outside the collector: ~36 MB of .tf read without freeing aborted)', async () => {
    const real = await loadHcl();
    const trees: Array<{ deleted: boolean }> = [];
    const parse: typeof real = (text) => {
      const tree = real(text);
      const seen = { deleted: false };
      trees.push(seen);
      const free = tree.delete.bind(tree);
      tree.delete = () => {
        seen.deleted = true;
        free();
      };
      return tree;
    };
    const hcl = 'resource "kubernetes_namespace_v1" "n" {\n  metadata { name = "n" }\n}\n';
    expect(parseTerraform(hcl, 'main.tf', parse, { module: '.', production: false }).manifests).toHaveLength(
      2,
    );
    expect(
      parseTerraform('resource "x" {', 'bad.tf', parse, { module: '.', production: false }).problems,
    ).toHaveLength(1);
    expect(parseTfvars('image = "nginx"\n', 'terraform.tfvars', parse).values).toEqual({ image: 'nginx' });
    expect(trees).toEqual([{ deleted: true }, { deleted: true }, { deleted: true }]);
  });
});
