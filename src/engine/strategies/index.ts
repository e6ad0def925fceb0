/** The strategies Slipway executes, by name. Adding one means adding its file and one line here. */
import type { Strategy } from '../releases/release.js';
import { blueGreen } from './blue-green.js';
import { canary } from './canary.js';
import { rolling } from './rolling.js';
import type { DeployStrategy } from './strategy.js';

export const STRATEGIES: Record<Strategy, DeployStrategy> = { rolling, 'blue-green': blueGreen, canary };

export type { DeployStrategy, Served, StrategyRun } from './strategy.js';
export { StrategyFailed } from './strategy.js';
