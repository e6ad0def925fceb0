/**
 * Test hooks, read here at the CLI's edge and nowhere else.
 *
 * `SLIPWAY_TEST_KILL_AT=POINT[#N]`: the deployer kills itself with SIGKILL (nothing runs after it:
 * no finally block, no lock release, no record update) the Nth time (default the first) it reaches
 * the named checkpoint of the engine (EngineContext.checkpoint: `<step>:started`, `<step>:ok`,
 * `roll-out:applied`, `recorded:<phase>`). Tests use it to stop a deploy at a chosen step instead of
 * at a random moment; it is not for anything else.
 */
export const KILL_AT_ENV = 'SLIPWAY_TEST_KILL_AT';

/** The checkpoint hook for `env`, or undefined when the variable is unset. */
export function killAtCheckpoint(
  env: NodeJS.ProcessEnv,
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): ((point: string) => void) | undefined {
  const wanted = env[KILL_AT_ENV];
  if (!wanted) return undefined;
  const at = wanted.lastIndexOf('#');
  const point = at > 0 ? wanted.slice(0, at) : wanted;
  const nth = at > 0 ? Number(wanted.slice(at + 1)) : 1;
  let seen = 0;
  return (reached) => {
    if (reached === point && ++seen === nth) kill();
  };
}
