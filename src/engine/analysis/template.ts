/**
 * `{{name}}` placeholders in analysis queries, URLs and commands, resolved before the first
 * measurement so the output shows exactly what was asked (Argo Rollouts resolves `{{args.x}}` the
 * same way before running a metric). An unknown placeholder is a spec error, never left in place.
 */
import { UserError } from '../../errors.js';

export function resolveTemplate(text: string, vars: Record<string, string>, where: string): string {
  return text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, key: string) => {
    const value = vars[key];
    if (value === undefined) {
      throw new UserError(`unknown placeholder {{${key}}}`, {
        code: 'analysis-template',
        path: where,
        hint: `placeholders available: ${
          Object.keys(vars)
            .sort()
            .map((k) => `{{${k}}}`)
            .join(', ') || 'none'
        }`,
      });
    }
    return value;
  });
}
