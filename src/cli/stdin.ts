/**
 * Reading all of stdin (`slipway check -`, `-f -`), refused past the YAML size cap. Apart from
 * ./io.ts, which every command line loads (`--version` too), so that io.ts needs no YAML module.
 */
import { UserErrors } from '../errors.js';
import { MAX_YAML_BYTES, tooLarge } from '../spec/yaml-input.js';

/** How problems name input read from stdin (`slipway check -`, `-f -`). */
export const STDIN_NAME = '<stdin>';

/** All of `stdin` as UTF-8, refused (code `tooLargeCode`) as soon as it passes the YAML size cap. */
export async function readStdinText(stdin: NodeJS.ReadableStream, tooLargeCode: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > MAX_YAML_BYTES) throw new UserErrors([tooLarge(STDIN_NAME, size, true)], tooLargeCode);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}
