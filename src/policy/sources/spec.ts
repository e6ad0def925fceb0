/**
 * Rendering slipway.yaml for `slipway check`: not wired yet (src/spec has no loader export).
 * Returning undefined makes the checker say so instead of guessing.
 */
export function specRenderer(_env: string | undefined): ((file: string) => Promise<string>) | undefined {
  return undefined;
}
