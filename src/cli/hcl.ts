import { createRequire } from 'node:module';
import type { HclParse } from '../policy/load/terraform.js';

/**
 * The HCL grammar for `slipway check` of Terraform: tree-sitter's (the `terraform` dialect of
 * @tree-sitter-grammars/tree-sitter-hcl, compiled to WebAssembly and shipped in the package) run by
 * web-tree-sitter. It keeps every node's line and column, which findings need, where HashiCorp's
 * own parser in @cdktf/hcl2json returns JSON without positions (the tests use both on the same
 * files). Loaded once, on the first .tf file.
 */
let loading: Promise<HclParse> | undefined;

export function loadHcl(): Promise<HclParse> {
  loading ??= (async () => {
    // Imported on the first .tf file only: other commands and checks never load it.
    const { Language, Parser } = await import('web-tree-sitter');
    const require = createRequire(import.meta.url);
    await Parser.init();
    const language = await Language.load(
      require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'),
    );
    const parser = new Parser();
    parser.setLanguage(language);
    return (text: string) => {
      const tree = parser.parse(text);
      if (!tree) throw new Error('tree-sitter returned no tree');
      return tree;
    };
  })();
  return loading;
}
