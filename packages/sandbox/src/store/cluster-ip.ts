/** ClusterIP allocation from the default service CIDR 10.96.0.0/12 (kube-apiserver --service-cluster-ip-range default). */
export const SERVICE_CIDR_BASE = (10 << 24) | (96 << 16);
export const SERVICE_CIDR_SIZE = 1 << 20;

export class ClusterIpAllocator {
  private next = 10; // .1 is the kubernetes Service on a real cluster, low addresses stay free
  private readonly used = new Set<string>();

  allocate(): string {
    for (let i = 0; i < SERVICE_CIDR_SIZE; i++) {
      const n = SERVICE_CIDR_BASE + ((this.next + i) % SERVICE_CIDR_SIZE);
      const ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
      if (!this.used.has(ip)) {
        this.used.add(ip);
        this.next += i + 1;
        return ip;
      }
    }
    throw new Error('service IP range exhausted');
  }

  reserve(ip: string | undefined): void {
    if (ip && ip !== 'None') this.used.add(ip);
  }
}
