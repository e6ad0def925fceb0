/** Container output kept for `kubectl logs`: the current and the previous instance, bounded. */
export const MAX_LOG_LINES = 5_000;

export class ContainerLog {
  private lines: string[] = [];
  private partial = '';
  previous: string[] | undefined;

  write(chunk: string | Buffer): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > MAX_LOG_LINES) this.lines.splice(0, this.lines.length - MAX_LOG_LINES);
  }

  /** A restart moves the output to `previous` (what `kubectl logs --previous` shows). */
  rotate(): void {
    this.flush();
    this.previous = this.lines;
    this.lines = [];
  }

  text(opts: { tailLines?: number; previous?: boolean } = {}): string | undefined {
    if (opts.previous && !this.previous) return undefined;
    const lines = opts.previous
      ? (this.previous as string[])
      : [...this.lines, ...(this.partial ? [this.partial] : [])];
    const tail =
      opts.tailLines !== undefined && opts.tailLines >= 0
        ? lines.slice(Math.max(0, lines.length - opts.tailLines))
        : lines;
    return tail.length ? tail.join('\n') + '\n' : '';
  }

  private flush(): void {
    if (this.partial) this.lines.push(this.partial);
    this.partial = '';
  }
}
