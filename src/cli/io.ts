import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';

/** Everything a command touches outside its arguments, so tests can run commands in-process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: NodeJS.ReadableStream;
  /** Name resolution for cluster connections (node:dns when absent); tests make it fail without DNS. */
  readonly lookup?: LookupFunction;
}

export function processIo(): Io {
  return {
    out: writerTo(process.stdout),
    err: writerTo(process.stderr),
    isTTY: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
    env: process.env,
    // Read when a command reads it (`-f -`): Node builds the stream on first access, a few of its modules.
    get stdin() {
      return process.stdin;
    },
  };
}

const closedStreams = new WeakSet<NodeJS.WritableStream>();
const guardedStreams = new WeakSet<NodeJS.WritableStream>();

/**
 * Writes to stdout or stderr until the reader goes away. When it does (`slipway schema | head -3`:
 * EPIPE), later output is dropped and the command runs on to its own exit code, with no stack from
 * an unhandled 'error' event; any other stream error is still thrown.
 */
function writerTo(stream: NodeJS.WritableStream): (text: string) => void {
  if (!guardedStreams.has(stream)) {
    guardedStreams.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      closedStreams.add(stream);
    });
  }
  return (text) => {
    if (!closedStreams.has(stream)) stream.write(text);
  };
}

/** An Io that records output; for tests. */
export function memoryIo(
  opts: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    stdin?: string;
    lookup?: LookupFunction;
  } = {},
) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = {
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    isTTY: false,
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? {},
    stdin: readableOf(opts.stdin ?? ''),
    ...(opts.lookup ? { lookup: opts.lookup } : {}),
  };
  return { io, stdout: () => stdout.join(''), stderr: () => stderr.join('') };
}

function readableOf(text: string): NodeJS.ReadableStream {
  return Readable.from([text]);
}

/** Resolves on the first SIGINT or SIGTERM (Ctrl-C, `kill`): how a serving command (`metrics serve`, `dashboard`) knows to stop. */
export function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
