// What the sandbox's database wrappers (postgres.mjs, redis.mjs, mariadb.mjs) share: running a host
// program in the foreground with signals forwarded, switching to the database's system user when
// the sandbox runs as root, and making the data directory reachable for that user.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import { setInterval } from 'node:timers';

/** Prints `message` the way the official entrypoints do and exits 1 (the kubelet restarts with back-off). */
export function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** uid/gid of a system user from /etc/passwd, or undefined. */
export function systemUser(name) {
  let text;
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** The user to run as: `name` when we are root (the servers refuse root or should not run as it), else ourselves. */
export function runAsUser(name, why) {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const user = systemUser(name);
  if (!user)
    fail(
      `sandbox: ${why} and the sandbox runs as root, but there is no "${name}" system user on this host (install the Debian package, which creates it)`,
    );
  return user;
}

function canEnter(path, user) {
  const st = statSync(path);
  const bits = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
  return (st.mode & bits) !== 0;
}

/**
 * Makes `target` reachable for `user`: directories inside the sandbox's own data directory get o+x
 * (search only, no listing); a directory above it that the user cannot enter fails the container
 * with what to do.
 */
export function ensureTraversable(target, sandboxDir, user) {
  const abs = resolve(target);
  const own = sandboxDir ? resolve(sandboxDir) : undefined;
  const inside =
    own && (abs === own || (!relative(own, abs).startsWith('..') && !isAbsolute(relative(own, abs))));
  const dirs = [];
  for (let d = dirname(abs); ; d = dirname(d)) {
    dirs.unshift(d);
    if (d === dirname(d)) break;
  }
  for (const d of dirs) {
    const ours = inside && (d === own || d.startsWith(own + sep));
    if (canEnter(d, user)) continue;
    if (ours) {
      chmodSync(d, statSync(d).mode | 0o001);
      continue;
    }
    fail(
      `sandbox: ${user.name} (uid ${user.uid}) cannot enter ${d} (mode ${(statSync(d).mode & 0o777).toString(8)}), on the way to its data directory ${abs}. ` +
        `The sandbox runs as root, so the database runs as ${user.name}: start the sandbox with a --data-dir below a directory others can enter (e.g. /var/tmp/slipway), or run chmod o+x ${d}.`,
    );
  }
}

/** chown -R for the entries not already owned by `user` (as the official images do on start). */
export function chownTree(path, user) {
  const st = lstatSync(path);
  if (st.uid !== user.uid || st.gid !== user.gid) chownSync(path, user.uid, user.gid);
  if (st.isDirectory()) for (const n of readdirSync(path)) chownTree(join(path, n), user);
}

/** Runs a program to completion (initialisation steps); its output goes to ours. Fails the container on an error. */
export function runStep(argv, { user, env, input, what }) {
  const r = spawnSync(argv[0], argv.slice(1), {
    env,
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'inherit', 'inherit'],
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  if (r.error) fail(`sandbox: ${what}: ${r.error.message}`);
  if (r.status !== 0) fail(`sandbox: ${what} failed (exit ${r.status ?? r.signal})`);
}

/**
 * Runs the server in the foreground and exits as it does. SIGTERM from the kubelet becomes
 * `termSignal` for the server (PostgreSQL: SIGINT, its fast shutdown); SIGINT passes through.
 */
export function runForeground(argv, { user, env, termSignal = 'SIGTERM', onExit } = {}) {
  const child = spawn(argv[0], argv.slice(1), {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  process.on('SIGTERM', () => child.kill(termSignal));
  process.on('SIGINT', () => child.kill('SIGINT'));
  // The sandbox went away without stopping us (killed): stop the server rather than leave it running.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) child.kill(termSignal);
  }, 1000).unref();
  child.once('error', (e) => fail(`sandbox: cannot start ${argv[0]}: ${e.message}`));
  child.once('exit', (code, signal) => {
    onExit?.();
    process.exit(code ?? (signal === 'SIGKILL' ? 137 : 143));
  });
  return child;
}

/**
 * A private directory for the server's unix socket (and pid file), owned by `user` when given: in the
 * pod's directory, which the kubelet removes with the pod, unless its path would pass the 107-byte
 * limit of a socket path; then in the temporary directory.
 */
export function socketDir(prefix, socketName, user) {
  const podDir = process.env.SANDBOX_POD_DIR;
  const inPod = podDir && join(podDir, `${prefix}XXXXXX`, socketName).length <= 107;
  const dir = mkdtempSync(join(inPod ? podDir : tmpdir(), prefix));
  if (user) {
    if (inPod) ensureTraversable(dir, process.env.SANDBOX_DATA_DIR, user);
    chownTree(dir, user);
  }
  return dir;
}
