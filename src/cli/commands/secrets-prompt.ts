import { UserError } from '../../errors.js';

/** A prompt that does not echo what is typed (a secret value on a terminal). */
export async function readHidden(
  stdin: NodeJS.ReadableStream & { setRawMode?: (raw: boolean) => void },
  write: (text: string) => void,
  question: string,
): Promise<string> {
  write(question);
  stdin.setRawMode?.(true);
  stdin.resume();
  let value = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer | string) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            stdin.off('data', onData);
            resolve(value);
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            reject(
              new UserError('interrupted; nothing was saved', { code: 'secrets-interrupted', exitCode: 130 }),
            );
            return;
          }
          value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode?.(false);
    stdin.pause();
    write('\n');
  }
}
