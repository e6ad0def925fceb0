import type { RegisterCommand } from '../command.js';
import { registerCheck } from './check.js';
import { registerCompletion } from './completion.js';
import { registerInit } from './init.js';
import { registerDemo } from './demo.js';
import { registerDeploy } from './deploy.js';
import { registerAbort } from './abort.js';
import { registerDiff } from './diff.js';
import { registerHistory } from './history.js';
import { registerPromote } from './promote.js';
import { registerRollback } from './rollback.js';
import { registerStatus } from './status.js';
import { registerRelease } from './release.js';
import { registerRender } from './render.js';
import { registerSandbox } from './sandbox.js';
import { registerSchema } from './schema.js';
import { registerValidate } from './validate.js';

/** Every command, in the order `slipway --help` lists them. Adding a command means adding a line here. */
export const commands: RegisterCommand[] = [
  registerDemo,
  registerInit,
  registerValidate,
  registerSchema,
  registerRender,
  registerCheck,
  registerSandbox,
  registerDeploy,
  registerStatus,
  registerHistory,
  registerRollback,
  registerPromote,
  registerAbort,
  registerDiff,
  registerRelease,
  registerCompletion,
];
