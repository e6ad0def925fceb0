// `slipway` from the sources, as a separate process (node --import tsx test/e2e/run-slipway.ts ...),
// for tests that must kill the CLI the way a user's terminal or CI runner would.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
