/**
 * Real probes against a process container, with the kubelet's semantics
 * (pkg/probe/http, tcp, exec): HTTP 200–399 succeeds, a TCP connect succeeds, exec exit 0
 * succeeds; each attempt is bounded by timeoutSeconds.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';

export interface ProbeSpec {
  httpGet?: {
    path?: string;
    port: number | string;
    host?: string;
    scheme?: string;
    httpHeaders?: { name: string; value: string }[];
  };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command?: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface ProbeTarget {
  /** Loopback address and port a container port (number or name) is reachable at. */
  resolve(port: number | string): { host: string; port: number } | undefined;
  /**
   * Runs argv in the container's environment and working directory; `argv` adapts an exec command to
   * the host (a declared containerPort as the allocated port, mount paths as local directories).
   */
  exec: { env: NodeJS.ProcessEnv; cwd: string; argv?: (command: string[]) => string[] };
}

/** A probe's verdict and, when it failed, why, in the kubelet's words (pkg/probe: `HTTP probe failed with statuscode: 503`). */
export interface ProbeResult {
  ok: boolean;
  output?: string;
}

const passed: ProbeResult = { ok: true };
const failed = (output: string): ProbeResult => ({ ok: false, output });

export function runProbe(probe: ProbeSpec, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) return httpProbe(probe.httpGet, target, timeoutMs);
  if (probe.tcpSocket) return tcpProbe(probe.tcpSocket.port, target, timeoutMs);
  if (probe.exec?.command?.length) return execProbe(probe.exec.command, target, timeoutMs);
  // gRPC probes are not emulated: treat them as passing and say so in the docs.
  return Promise.resolve(passed);
}

function httpProbe(
  h: NonNullable<ProbeSpec['httpGet']>,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeResult> {
  const addr = target.resolve(h.port);
  if (!addr) return Promise.resolve(failed(`no port ${h.port} in the container`));
  return new Promise((done) => {
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.33', Accept: '*/*' };
    for (const x of h.httpHeaders ?? []) headers[x.name] = x.value;
    const req = request(
      {
        host: addr.host,
        port: addr.port,
        path: h.path ?? '/',
        method: 'GET',
        headers,
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        done(code >= 200 && code < 400 ? passed : failed(`HTTP probe failed with statuscode: ${code}`));
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)),
    );
    req.on('error', (err) =>
      done(failed(`Get "http://${addr.host}:${addr.port}${h.path ?? '/'}": ${err.message}`)),
    );
    req.end();
  });
}

function tcpProbe(port: number | string, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const addr = target.resolve(port);
  if (!addr) return Promise.resolve(failed(`no port ${port} in the container`));
  return new Promise((done) => {
    const socket = connect({ host: addr.host, port: addr.port });
    const timer = setTimeout(() => {
      socket.destroy();
      done(failed(`dial tcp ${addr.host}:${addr.port}: i/o timeout`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      done(passed);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      done(failed(`dial tcp ${addr.host}:${addr.port}: ${err.message}`));
    });
  });
}

export function execProbe(given: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const command = target.exec.argv ? target.exec.argv(given) : given;
  return new Promise((done) => {
    const child = spawn(command[0] as string, command.slice(1), {
      env: target.exec.env,
      cwd: target.exec.cwd,
      stdio: 'ignore',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    child.once('error', (err) => done(failed(`exec ${command[0]}: ${err.message}`)));
    child.once('exit', (code, signal) =>
      done(
        code === 0
          ? passed
          : failed(
              signal === 'SIGKILL'
                ? `command timed out after ${timeoutMs / 1000}s`
                : `command exited with code ${code}`,
            ),
      ),
    );
  });
}
