/**
 * Kubernetes quantities as Compose writes them. Docker reads `512m`/`512M` as MiB (binary), so
 * Kubernetes' binary suffixes map directly (Mi -> M); decimal ones are written in bytes.
 */
const BINARY: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

export function composeMemory(quantity: string): string {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!m) return quantity;
  const bytes = Number(m[1]) * (BINARY[m[2] ?? ''] ?? DECIMAL[m[2] ?? ''] ?? 1);
  if (bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}G`;
  if (bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}M`;
  if (bytes % 1024 === 0) return `${bytes / 1024}K`;
  return `${Math.round(bytes)}b`;
}

/** `500m` -> "0.5", `2` -> "2". */
export function composeCpus(quantity: string): string {
  const millis = quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
  return String(Math.round(millis) / 1000);
}
