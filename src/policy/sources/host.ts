/**
 * The checker's only side effects: reading files and stdin, and running helm / kubectl kustomize.
 * The CLI passes the real host; tests can pass one over a temporary directory with the real tools.
 */
export interface InputHost {
  readFile(path: string): string;
  isDirectory(path: string): boolean;
  exists(path: string): boolean;
  listDirectory(path: string): string[];
  readStdin(): Promise<string>;
  /** Runs a program and returns its stdout; rejects with its stderr on a non-zero exit. */
  run(program: string, args: string[], cwd: string): Promise<string>;
  helmPath(): string;
  kubectlPath(): string;
  /** How to install the tool, for the message when it is missing. */
  toolHint(tool: 'helm' | 'kubectl'): string;
  /** Runs `use` with a new empty temporary directory and removes the directory afterwards. */
  withScratchDir<T>(
    use: (dir: string, write: (name: string, text: string) => void) => Promise<T>,
  ): Promise<T>;
}
