// The app of the rotation e2e test, run by the sandbox as the image `rotation-app` (a sandbox config
// rule): every GET / asks PostgreSQL (postgresql:// in DATABASE_URL, SCRAM-SHA-256, the server's
// default) or MySQL/MariaDB (mysql://, mysql_native_password, MariaDB's default) for the login user,
// on a pooled connection that lives at most CONNECTION_LIFETIME_MS (1 s) from its login, so the pod
// logs in again with the password it started with several times a second and its requests fail
// within a second of that password no longer working. /readyz answers 200 once one
// query worked. SIGTERM: stop accepting, finish in-flight requests, exit (as sample-service).
// The PostgreSQL frontend/backend protocol v3 and the MySQL client/server protocol, only what this
// needs; plain Node, no dependencies.
import { Buffer } from 'node:buffer';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { connect, Server as NetServer } from 'node:net';
import { setTimeout } from 'node:timers';

const url = new URL(process.env.DATABASE_URL ?? '');
const mysql = url.protocol === 'mysql:';
const target = {
  host: url.hostname,
  port: Number(url.port || (mysql ? 3306 : 5432)),
  user: decodeURIComponent(url.username),
  password: decodeURIComponent(url.password),
  database: decodeURIComponent(url.pathname.slice(1)),
};
const salted = new Map();

function message(type, body) {
  const head = Buffer.alloc(type ? 5 : 4);
  if (type) head.write(type, 0);
  head.writeInt32BE(body.length + 4, type ? 1 : 0);
  return Buffer.concat([head, body]);
}
const cstr = (s) => Buffer.from(`${s}\0`, 'utf8');

/**
 * A logged-in connection: `query(sql)` resolves with the first column of the first row; an error
 * marks it broken. `send(sql)` writes the protocol's query message, `quit` its goodbye.
 */
function connection(send, quit) {
  const conn = {
    born: Date.now(),
    broken: false,
    pending: undefined,
    query: (sql) =>
      new Promise((resolve, reject) => {
        conn.pending = { resolve, reject, row: undefined };
        send(sql);
      }),
    close: () => {
      if (!conn.broken) quit();
      conn.broken = true;
    },
  };
  return conn;
}

/** Connection failures: before login they reject the login, after it the query in flight. */
function failer(socket, reject, current) {
  return (err) => {
    socket.destroy();
    const conn = current();
    if (!conn) return reject(err);
    conn.broken = true;
    const pending = conn.pending;
    conn.pending = undefined;
    pending?.reject(err);
  };
}

/** Opens and logs in a PostgreSQL connection. */
function pgConnect() {
  return new Promise((resolve, reject) => {
    const socket = connect(target.port, target.host);
    let buffer = Buffer.alloc(0);
    let nonce;
    let clientFirstBare;
    let serverSignature;
    let conn;
    const fail = failer(socket, reject, () => conn);
    socket.setTimeout(5000, () => fail(new Error('timeout')));
    socket.on('error', fail);
    socket.on('connect', () => {
      const params = Buffer.concat([
        cstr('user'),
        cstr(target.user),
        cstr('database'),
        cstr(target.database),
        Buffer.from([0]),
      ]);
      const version = Buffer.alloc(4);
      version.writeInt32BE(196608);
      socket.write(message(undefined, Buffer.concat([version, params])));
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 5) {
        const len = buffer.readInt32BE(1);
        if (buffer.length < len + 1) return;
        const type = String.fromCharCode(buffer[0]);
        const body = buffer.subarray(5, len + 1);
        buffer = buffer.subarray(len + 1);
        try {
          handle(type, body);
        } catch (err) {
          fail(err);
          return;
        }
      }
    });
    function handle(type, body) {
      if (type === 'E') {
        const fields = body.toString('utf8').split('\0');
        const m = fields.find((f) => f.startsWith('M'));
        throw new Error(m ? m.slice(1) : 'server error');
      }
      if (type === 'R') {
        const code = body.readInt32BE(0);
        if (code === 0) return;
        if (code === 10) {
          nonce = randomBytes(18).toString('base64');
          clientFirstBare = `n=,r=${nonce}`;
          const first = Buffer.from(`n,,${clientFirstBare}`);
          const len = Buffer.alloc(4);
          len.writeInt32BE(first.length);
          socket.write(message('p', Buffer.concat([cstr('SCRAM-SHA-256'), len, first])));
          return;
        }
        if (code === 11) {
          const serverFirst = body.subarray(4).toString('utf8');
          const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
          if (!attrs.r.startsWith(nonce)) throw new Error('bad server nonce');
          const key = `${attrs.s}:${attrs.i}:${target.password}`;
          let saltedPassword = salted.get(key);
          if (!saltedPassword) {
            saltedPassword = pbkdf2Sync(
              target.password,
              Buffer.from(attrs.s, 'base64'),
              Number(attrs.i),
              32,
              'sha256',
            );
            salted.set(key, saltedPassword);
          }
          const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
          const storedKey = createHash('sha256').update(clientKey).digest();
          const withoutProof = `c=biws,r=${attrs.r}`;
          const auth = `${clientFirstBare},${serverFirst},${withoutProof}`;
          const signature = createHmac('sha256', storedKey).update(auth).digest();
          const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
          const serverKey = createHmac('sha256', saltedPassword).update('Server Key').digest();
          serverSignature = createHmac('sha256', serverKey).update(auth).digest('base64');
          socket.write(message('p', Buffer.from(`${withoutProof},p=${proof.toString('base64')}`)));
          return;
        }
        if (code === 12) {
          if (body.subarray(4).toString('utf8') !== `v=${serverSignature}`)
            throw new Error('bad server signature');
          return;
        }
        throw new Error(`unsupported authentication ${code}`);
      }
      if (type === 'Z') {
        if (!conn) {
          conn = connection(
            (sql) => socket.write(message('Q', cstr(sql))),
            () => socket.end(message('X', Buffer.alloc(0))),
          );
          resolve(conn);
          return;
        }
        const pending = conn.pending;
        conn.pending = undefined;
        pending?.resolve(pending.row ?? '');
        return;
      }
      if (type === 'D' && conn?.pending && conn.pending.row === undefined) {
        const n = body.readInt32BE(2);
        conn.pending.row = n < 0 ? '' : body.subarray(6, 6 + n).toString('utf8');
      }
    }
  });
}

const sha1 = (...parts) => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** mysql_native_password: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))). */
function nativeToken(scramble) {
  if (!target.password) return Buffer.alloc(0);
  const once = sha1(target.password);
  const mix = sha1(scramble, sha1(once));
  return Buffer.from(once.map((b, i) => b ^ mix[i]));
}

/** Opens and logs in a MySQL connection. */
function mysqlConnect() {
  return new Promise((resolve, reject) => {
    const socket = connect(target.port, target.host);
    let buffer = Buffer.alloc(0);
    let stage = 'handshake';
    let columns = 0;
    let conn;
    const fail = failer(socket, reject, () => conn);
    const send = (seq, payload) => {
      const head = Buffer.alloc(4);
      head.writeUIntLE(payload.length, 0, 3);
      head[3] = seq;
      socket.write(Buffer.concat([head, payload]));
    };
    const lenenc = (b, at) => {
      const first = b[at];
      if (first < 0xfb) return [first, at + 1];
      if (first === 0xfb) return [null, at + 1];
      if (first === 0xfc) return [b.readUInt16LE(at + 1), at + 3];
      if (first === 0xfd) return [b.readUIntLE(at + 1, 3), at + 4];
      return [Number(b.readBigUInt64LE(at + 1)), at + 9];
    };
    socket.setTimeout(5000, () => fail(new Error('timeout')));
    socket.on('error', fail);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4) {
        const len = buffer.readUIntLE(0, 3);
        if (buffer.length < len + 4) return;
        const seq = buffer[3];
        const body = buffer.subarray(4, len + 4);
        buffer = buffer.subarray(len + 4);
        try {
          handle(seq, body);
        } catch (err) {
          fail(err);
          return;
        }
      }
    });
    function handle(seq, body) {
      if (body[0] === 0xff) throw new Error(body.subarray(body[3] === 0x23 ? 9 : 3).toString('utf8'));
      if (stage === 'handshake') {
        const versionEnd = body.indexOf(0, 1);
        let at = versionEnd + 1 + 4;
        const part1 = body.subarray(at, at + 8);
        at += 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10;
        const scramble = Buffer.concat([part1, body.subarray(at, at + 12)]);
        // CLIENT_LONG_PASSWORD | CONNECT_WITH_DB | PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH
        const flags = 0x1 | 0x8 | 0x200 | 0x8000 | 0x80000;
        const fixed = Buffer.alloc(32);
        fixed.writeUInt32LE(flags, 0);
        fixed.writeUInt32LE(1 << 24, 4);
        fixed[8] = 33; // utf8_general_ci
        const token = nativeToken(scramble);
        send(
          seq + 1,
          Buffer.concat([
            fixed,
            cstr(target.user),
            Buffer.from([token.length]),
            token,
            cstr(target.database),
            cstr('mysql_native_password'),
          ]),
        );
        stage = 'auth';
        return;
      }
      if (stage === 'auth') {
        if (body[0] === 0xfe) {
          // Auth switch: the server's plugin and a new scramble.
          const nameEnd = body.indexOf(0, 1);
          const plugin = body.subarray(1, nameEnd).toString();
          if (plugin !== 'mysql_native_password') throw new Error(`unsupported authentication ${plugin}`);
          send(seq + 1, nativeToken(body.subarray(nameEnd + 1, nameEnd + 21)));
          return;
        }
        if (body[0] !== 0x00) throw new Error(`unexpected packet 0x${body[0].toString(16)} after login`);
        stage = 'idle';
        conn = connection(
          (sql) => {
            stage = 'columns';
            send(0, Buffer.concat([Buffer.from([0x03]), Buffer.from(sql, 'utf8')]));
          },
          () => {
            send(0, Buffer.from([0x01]));
            socket.end();
          },
        );
        resolve(conn);
        return;
      }
      if (stage === 'columns') {
        columns = lenenc(body, 0)[0];
        stage = 'definitions';
        return;
      }
      if (stage === 'definitions') {
        if (body[0] === 0xfe && body.length < 9) stage = 'rows';
        else if (--columns < 0) throw new Error('too many column definitions');
        return;
      }
      if (stage === 'rows') {
        const pending = conn.pending;
        if (body[0] === 0xfe && body.length < 9) {
          stage = 'idle';
          conn.pending = undefined;
          pending?.resolve(pending.row ?? '');
          return;
        }
        if (pending && pending.row === undefined) {
          const [n, at] = lenenc(body, 0);
          pending.row = n === null ? '' : body.subarray(at, at + n).toString('utf8');
        }
      }
    }
  });
}

/**
 * A small pool, as apps keep one (at most POOL_SIZE connections, default 4, further requests wait
 * for one as with node-postgres' `max`), but a connection serves for at most CONNECTION_LIFETIME_MS
 * (default 1000) from its login: every pod logs in again several times a second, so a password that
 * stops working fails its requests within that time, while the request rate is not bound by the
 * server's cost of a login (PostgreSQL forks a process per connection), nor a burst of requests
 * turned into a burst of logins.
 */
const LIFETIME_MS = Number(process.env.CONNECTION_LIFETIME_MS ?? 1000);
const POOL_SIZE = Number(process.env.POOL_SIZE ?? 4);
const idle = [];
const waiting = [];
let open = 0;
const fresh = (conn) => !conn.broken && Date.now() - conn.born < LIFETIME_MS;
/** Closes a connection that leaves the pool and lets one waiting request open another. */
function retire(conn) {
  conn.close();
  open -= 1;
  waiting.shift()?.();
}
async function acquire() {
  for (;;) {
    let conn;
    while ((conn = idle.pop())) {
      if (fresh(conn)) return conn;
      retire(conn);
    }
    if (open < POOL_SIZE) {
      open += 1;
      try {
        return await (mysql ? mysqlConnect() : pgConnect());
      } catch (err) {
        open -= 1;
        waiting.shift()?.();
        throw err;
      }
    }
    await new Promise((resolve) => waiting.push(resolve));
  }
}
async function loginUser() {
  const conn = await acquire();
  try {
    const user = await conn.query(
      mysql ? "select substring_index(current_user(), '@', 1)" : 'select session_user',
    );
    if (fresh(conn)) {
      idle.push(conn);
      waiting.shift()?.();
    } else retire(conn);
    return user;
  } catch (err) {
    retire(conn);
    throw err;
  }
}

let ready = false;
let shuttingDown = false;
let served = 0;
let failed = 0;

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const headers = { 'content-type': 'application/json', ...(shuttingDown ? { connection: 'close' } : {}) };
  if (path === '/healthz') return res.writeHead(200, headers).end('{"ok":true}\n');
  if (path === '/readyz') return res.writeHead(ready && !shuttingDown ? 200 : 503, headers).end('{}\n');
  try {
    const user = await loginUser();
    served += 1;
    res.writeHead(200, headers).end(`${JSON.stringify({ version: user })}\n`);
  } catch (err) {
    failed += 1;
    console.error(`query failed: ${err.message}`);
    res.writeHead(500, headers).end(`${JSON.stringify({ error: err.message })}\n`);
  }
});

async function becomeReady() {
  while (!ready && !shuttingDown) {
    try {
      await loginUser();
      ready = true;
    } catch (err) {
      console.error(`not ready: ${err.message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function shutdown() {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`shutting down after ${served} queries (${failed} failed)`);
  NetServer.prototype.close.call(server, () => process.exit(0));
  setTimeout(() => server.closeIdleConnections(), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

server.listen(Number(process.env.PORT ?? 8080), () => {
  console.log(`rotation-app listening, database user ${target.user}`);
  void becomeReady();
});
