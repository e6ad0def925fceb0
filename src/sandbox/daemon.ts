/**
 * Entry point of a detached sandbox (`slipway sandbox up --detach` spawns it with its options as
 * one JSON argument). It serves until SIGTERM (`slipway sandbox down`).
 */
import { serveSandbox, type ServeOptions } from './serve.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as ServeOptions;
const served = await serveSandbox(opts);
process.stdout.write(`slipway sandbox serving ${served.state.url} (pid ${process.pid})\n`);
await served.stopped;
process.exit(0);
