// Worker threads do not inherit the TypeScript loader of vitest or tsx; this loads worker.ts through tsx.
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);
