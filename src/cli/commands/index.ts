import type { RegisterCommand } from '../command.js';
import { registerCheck } from './check.js';
import { registerRender } from './render.js';
import { registerSandbox } from './sandbox.js';

/** Every command, in the order `slipway --help` lists them. Adding a command means adding a line here. */
export const commands: RegisterCommand[] = [registerRender, registerCheck, registerSandbox];
