/**
 * A full garbage collection on demand, inside a vitest worker that was not started with
 * --expose-gc: V8 accepts the flag at run time and a new context then sees `gc`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as (options?: { type: 'major' | 'minor'; execution: 'sync' }) => void;

/** Collects twice with a turn of the event loop between, so weakly held objects and their finalizers are gone. */
export async function forceGc(): Promise<void> {
  collect();
  await new Promise((r) => setImmediate(r));
  collect();
}
