/** `slipway schema`: the JSON Schema of slipway.yaml (draft-07), for editors and other tools. */
import type { Command } from 'commander';
import { specJsonSchemaText } from '../../spec/index.js';
import { outputOption, type CommandContext, type RegisterCommand } from '../command.js';

export const registerSchema: RegisterCommand = (program: Command, ctx: CommandContext) => {
  program
    .command('schema')
    .summary('print the JSON Schema of slipway.yaml')
    .description('print the JSON Schema of slipway.yaml (draft-07, as yaml-language-server reads it)')
    .addOption(outputOption(['json'], 'json', 'json (the schema is JSON in every case)'))
    .action(() => ctx.io.out(specJsonSchemaText()));
};
