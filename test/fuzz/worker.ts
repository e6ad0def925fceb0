/**
 * The fuzz worker: runs each case it is sent through FrontDoor and posts the outcome back. A
 * process warning during a case (a library printing to stderr past the CLI's Io) fails it too.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FrontDoor } from './front-door.js';

const door = new FrontDoor((workerData as { dir: string }).dir);
let warnings: string[] = [];
process.on('warning', (warning) => warnings.push(`a process warning reached stderr: ${warning.message}`));
parentPort?.on('message', (text: string) => {
  warnings = [];
  door.run(text).then(
    // Warnings are emitted on the next tick; a macrotask later they have all arrived.
    (outcome) =>
      setImmediate(() =>
        parentPort?.postMessage({ ...outcome, failures: [...outcome.failures, ...warnings] }),
      ),
    (error: unknown) =>
      parentPort?.postMessage({ failures: [`the harness threw: ${String(error)}`], codes: '' }),
  );
});
