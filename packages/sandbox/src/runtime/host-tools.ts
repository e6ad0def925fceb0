/**
 * The host programs behind the database and tool images: finding them (on PATH, or under a
 * versioned directory such as /usr/lib/postgresql/<major>/bin), failing a container clearly when
 * one is missing (naming the Debian package), and reading the installed version so a pod whose image
 * tag asks for another one is told so in an Event instead of silently running something else.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { ImageRule } from './config.js';

/** The kubelet's CreateContainerError: the container cannot be started on this host as it is. */
export class HostToolMissingError extends Error {}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Compares dotted numeric versions, highest first (`15` before `9`). */
function byVersionDesc(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pb[i] ?? -1) - (pa[i] ?? -1);
    if (d && !Number.isNaN(d)) return d;
  }
  return b.localeCompare(a);
}

/**
 * An absolute path with at most one `*` directory (`/usr/lib/postgresql/*\/bin/postgres`, the
 * highest version wins), or a bare name looked up on `path` (the container's PATH).
 */
export function findHostBinary(binary: string, path = process.env.PATH ?? ''): string | undefined {
  if (!binary.includes('/')) {
    for (const dir of path.split(delimiter))
      if (dir && executable(join(dir, binary))) return join(dir, binary);
    return undefined;
  }
  const star = binary.indexOf('*');
  if (star < 0) return executable(binary) ? binary : undefined;
  const parent = dirname(binary.slice(0, star + 1));
  const segEnd = binary.indexOf('/', star);
  const seg = binary.slice(parent.length + 1, segEnd < 0 ? undefined : segEnd);
  const rest = segEnd < 0 ? '' : binary.slice(segEnd);
  const re = new RegExp(`^${seg.split('*').map(escapeRe).join('(.*)')}$`);
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => re.test(n));
  } catch {
    return undefined;
  }
  for (const n of names.sort(byVersionDesc)) {
    const found = findHostBinary(join(parent, n) + rest, path);
    if (found) return found;
  }
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Throws HostToolMissingError naming the Debian package when a program the rule runs is absent. */
export function checkRequires(rule: ImageRule, image: string, path: string | undefined): void {
  for (const r of rule.requires ?? []) {
    if (findHostBinary(r.binary, path)) continue;
    throw new HostToolMissingError(
      `${image} runs ${r.binary} from the sandbox host, which is not installed: install the Debian package ${r.package} (apt-get install ${r.package})`,
    );
  }
}

/** The program a container's own command starts must exist; the hint names the image's packages. */
export function checkProgram(
  rule: ImageRule,
  image: string,
  program: string,
  path: string | undefined,
): void {
  if (findHostBinary(program, path)) return;
  const pkgs = [...new Set((rule.requires ?? []).map((r) => r.package))];
  throw new HostToolMissingError(
    `${image}: executable "${program}" not found on the sandbox host${pkgs.length ? ` (the image maps to the Debian package${pkgs.length > 1 ? 's' : ''} ${pkgs.join(', ')})` : ''}`,
  );
}

const versions = new Map<string, string | undefined>();

/** The host program's version (`15.14`), read once per command and cached. */
export function hostVersion(rule: ImageRule, path: string | undefined): string | undefined {
  const hv = rule.hostVersion;
  if (!hv) return undefined;
  const key = `${path}\0${hv.command.join('\0')}\0${hv.pattern}`;
  if (versions.has(key)) return versions.get(key);
  const program = findHostBinary(hv.command[0] as string, path);
  let version: string | undefined;
  if (program) {
    const out = spawnSync(program, hv.command.slice(1), { encoding: 'utf8', timeout: 10_000 });
    version = new RegExp(hv.pattern).exec(`${out.stdout ?? ''}${out.stderr ?? ''}`)?.[1];
  }
  versions.set(key, version);
  return version;
}

/**
 * The Event text when the host's version is not the one the tag asks for: every numeric part the
 * tag gives must agree (`16` vs 15.14 differs, `7.0` vs 7.0.15 agrees, `latest` always differs),
 * and another product (mysql run by MariaDB) always differs. Undefined when they agree.
 */
export function versionSubstitution(
  rule: ImageRule,
  image: string,
  tag: string,
  version: string,
): string | undefined {
  const hv = rule.hostVersion;
  if (!hv) return undefined;
  const wanted = /^v?(\d+(?:\.\d+)*)/.exec(tag)?.[1]?.split('.');
  const have = version.split('.');
  const same =
    hv.sameProduct && wanted !== undefined && wanted.every((part, i) => Number(part) === Number(have[i]));
  return same ? undefined : `${image} runs as ${hv.product} ${version} from the host`;
}
