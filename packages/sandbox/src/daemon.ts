/**
 * Entry point of a detached sandbox (`slipway sandbox up --detach` spawns it with its options as
 * one JSON argument). It serves until SIGTERM (`slipway sandbox down`).
 */
import { recordStartError, startError } from './detach.js';
import { serveSandbox, type ServeOptions } from './serve.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as ServeOptions;
const served = await serveSandbox(opts).catch((e: unknown) => {
  const error = startError(e, opts.port ?? 0);
  if (!error) throw e;
  recordStartError(opts.stateDir, error);
  process.stderr.write(`error: ${error.format()}\n`);
  process.exit(error.exitCode);
});
process.stdout.write(`slipway sandbox serving ${served.state.url} (pid ${process.pid})\n`);
await served.stopped;
process.exit(0);
