import type { RegisterCommand } from '../command.js';
import { registerCheck } from './check.js';
import { registerInit } from './init.js';
import { registerDeploy } from './deploy.js';
import { registerRelease } from './release.js';
import { registerRender } from './render.js';
import { registerSandbox } from './sandbox.js';
import { registerSchema } from './schema.js';
import { registerValidate } from './validate.js';

/** Every command, in the order `slipway --help` lists them. Adding a command means adding a line here. */
export const commands: RegisterCommand[] = [registerInit, registerValidate, registerSchema, registerRender, registerCheck, registerSandbox, registerDeploy, registerRelease];
