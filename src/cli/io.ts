import { Readable } from 'node:stream';

/** Everything a command touches outside its arguments, so tests can run commands in-process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: NodeJS.ReadableStream;
}

export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    isTTY: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
  };
}

/** An Io that records output; for tests. */
export function memoryIo(opts: { cwd?: string; env?: Record<string, string | undefined>; stdin?: string } = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = {
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    isTTY: false,
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? {},
    stdin: readableOf(opts.stdin ?? ''),
  };
  return { io, stdout: () => stdout.join(''), stderr: () => stderr.join('') };
}

function readableOf(text: string): NodeJS.ReadableStream {
  return Readable.from([text]);
}
