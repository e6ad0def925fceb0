/**
 * Clusters that cannot be used, all on loopback: a port with nothing listening, a listener that
 * accepts and never answers, a TLS server whose certificate comes from another CA, the real sandbox
 * with a wrong bearer token, an API server that answers 403 Forbidden, and a host name that does not
 * resolve (through a lookup hook: no DNS query leaves the machine). Each comes with a kubeconfig
 * naming its own context, for the CLI's error-path tests and bench/broken-cluster.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo, type LookupFunction, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, generateCertificates } from '@slipway/sandbox';

export interface BrokenCluster {
  /** The kubeconfig context's name. */
  context: string;
  server: string;
  kubeconfig: string;
  /** What the error message must say failed. */
  failure: RegExp;
  /** Name resolution to give the CLI (Io.lookup); the dns case's fails and counts its calls. */
  lookup?: LookupFunction;
  /** How often `lookup` was asked (proof that the hook, not the system resolver, was used). */
  lookups?: () => number;
  stop(): Promise<void>;
}

export type BrokenCase = 'refused' | 'silent' | 'other-ca' | 'wrong-token' | 'forbidden' | 'dns';
export const BROKEN_CASES: BrokenCase[] = [
  'refused',
  'silent',
  'other-ca',
  'wrong-token',
  'forbidden',
  'dns',
];

function writeKubeconfig(
  context: string,
  server: string,
  caCert: string,
  token: string,
): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-broken-'));
  const file = join(dir, 'kubeconfig');
  const ca = Buffer.from(caCert).toString('base64');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: ${context}, cluster: {server: '${server}', certificate-authority-data: ${ca}}}]`,
      `users: [{name: ${context}, user: {token: ${token}}}]`,
      `contexts: [{name: ${context}, context: {cluster: ${context}, user: ${context}}}]`,
      `current-context: ${context}`,
      '',
    ].join('\n'),
  );
  return { dir, file };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

export async function startBrokenCluster(kind: BrokenCase): Promise<BrokenCluster> {
  const trusted = generateCertificates();
  if (kind === 'refused') {
    // Bind to learn a free port, then close it: nothing listens there any more.
    const probe = createServer();
    const port = await listen(probe);
    await close(probe);
    const server = `https://127.0.0.1:${port}`;
    const { dir, file } = writeKubeconfig('refused', server, trusted.caCert, 'token');
    return {
      context: 'refused',
      server,
      kubeconfig: file,
      failure: /connection refused/,
      stop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (kind === 'silent') {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    const server = `https://127.0.0.1:${await listen(silent)}`;
    const { dir, file } = writeKubeconfig('silent', server, trusted.caCert, 'token');
    return {
      context: 'silent',
      server,
      kubeconfig: file,
      failure: /no answer in \d+ s while connecting/,
      async stop() {
        for (const s of sockets) s.destroy();
        await close(silent);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (kind === 'other-ca') {
    const other = generateCertificates();
    const https = createHttpsServer({ key: other.serverKey, cert: other.serverCert }, (_req, res) =>
      res.end('{}'),
    );
    const server = `https://127.0.0.1:${await listen(https)}`;
    const { dir, file } = writeKubeconfig('other-ca', server, trusted.caCert, 'token');
    return {
      context: 'other-ca',
      server,
      kubeconfig: file,
      failure: /certificate signed by unknown authority/,
      async stop() {
        https.closeAllConnections();
        await close(https);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (kind === 'forbidden') {
    // An API server that knows the user but grants nothing: every request gets a Status 403.
    const https = createHttpsServer({ key: trusted.serverKey, cert: trusted.serverCert }, (req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Forbidden',
          code: 403,
          message: `${req.method} ${req.url?.split('?')[0]} is forbidden: User "deployer" cannot do this`,
        }),
      );
    });
    const server = `https://127.0.0.1:${await listen(https)}`;
    const { dir, file } = writeKubeconfig('forbidden', server, trusted.caCert, 'token');
    return {
      context: 'forbidden',
      server,
      kubeconfig: file,
      failure: /HTTP 403 Forbidden/,
      async stop() {
        https.closeAllConnections();
        await close(https);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (kind === 'dns') {
    // `.invalid` never resolves (RFC 6761); the hook answers so without asking any resolver.
    let calls = 0;
    const lookup: LookupFunction = (hostname, _options, callback) => {
      calls++;
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname,
      });
      process.nextTick(() => callback(error, '', 4));
    };
    const server = 'https://api.cluster.invalid:6443';
    const { dir, file } = writeKubeconfig('dns', server, trusted.caCert, 'token');
    return {
      context: 'dns',
      server,
      kubeconfig: file,
      failure: /host name does not resolve/,
      lookup,
      lookups: () => calls,
      stop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const sandbox = await startSandbox({ runtime: false });
  const { dir, file } = writeKubeconfig('wrong-token', sandbox.url, sandbox.certs.caCert, 'not-the-token');
  return {
    context: 'wrong-token',
    server: sandbox.url,
    kubeconfig: file,
    failure: /token rejected/,
    async stop() {
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
