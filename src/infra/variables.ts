/** `variable` and `output` blocks, the same shape in every module. */
import { arg, block, ref, type Block, type Value } from './hcl.js';

export function variableBlock(name: string, type: string, description: string, dflt?: Value): Block {
  return block(
    'variable',
    [name],
    [...arg('type', ref(type)), ...arg('description', description), ...arg('default', dflt)],
  );
}

export function outputBlock(name: string, value: Value, sensitive = false): Block {
  return block('output', [name], [...arg('value', value), ...(sensitive ? arg('sensitive', true) : [])]);
}
