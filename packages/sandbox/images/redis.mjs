// The sandbox's `redis:*` image: the host's redis-server with the container's own arguments
// (`redis-server --requirepass ... --appendonly yes --dir <mapped data dir>`), listening on
// 127.0.0.1:$PORT. As the official entrypoint: no arguments, or a first argument starting with `-`,
// or a `.conf` file, means redis-server; `redis-server ...` is the server; anything else is run as a
// command. SIGTERM is passed on (redis saves and exits).
import { runForeground } from './lib/entrypoint.mjs';

const args = process.argv.slice(2);
const env = { ...process.env };

if (args.length && args[0] !== 'redis-server' && !args[0].startsWith('-') && !args[0].endsWith('.conf')) {
  runForeground(args, { env });
} else {
  const options = args[0] === 'redis-server' ? args.slice(1) : args;
  if (!env.PORT) {
    process.stderr.write('sandbox: PORT is not set (the kubelet allocates it)\n');
    process.exit(1);
  }
  // Later options win: the allocated port and loopback come last; never daemonize (the kubelet watches the process).
  runForeground(
    ['redis-server', ...options, '--port', env.PORT, '--bind', '127.0.0.1', '--daemonize', 'no'],
    { env },
  );
}
