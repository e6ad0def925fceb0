/**
 * Shell completion scripts generated from the command tree commander holds, so a new command or
 * option completes without editing a script: subcommands, long and short options, and the allowed
 * values of options that declare them (`--output`, `--format`).
 */
import type { Command, Option } from 'commander';

export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

interface Node {
  /** Command names from the root (`['sandbox', 'up']`; empty for the program). */
  path: string[];
  summary: string;
  children: Node[];
  options: Array<{
    long?: string;
    short?: string;
    takesValue: boolean;
    choices?: string[];
    description: string;
  }>;
}

function treeOf(cmd: Command, path: string[] = []): Node {
  const options = cmd.options.map((o: Option) => ({
    long: o.long,
    short: o.short,
    takesValue: o.required || o.optional,
    choices: o.argChoices,
    description: o.description,
  }));
  options.push({
    long: '--help',
    short: '-h',
    takesValue: false,
    choices: undefined,
    description: 'show help',
  });
  return {
    path,
    summary: cmd.summary() || cmd.description(),
    children: cmd.commands
      .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
      .map((c) => treeOf(c, [...path, c.name()])),
    options,
  };
}

function walk(node: Node): Node[] {
  return [node, ...node.children.flatMap(walk)];
}

/** A word safe inside single quotes in bash, zsh and fish. */
function quoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function bash(program: string, root: Node): string {
  const fn = `_${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const nodes = walk(root);
  const lines = [
    `# ${program} completion for bash (also used by zsh through bashcompinit).`,
    `# Load it with: source <(${program} completion bash)`,
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="" path="" i w skip=0',
    '  (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  for (( i = 1; i < COMP_CWORD; i++ )); do',
    '    w="${COMP_WORDS[i]}"',
    '    if (( skip )); then skip=0; continue; fi',
    '    if [[ "$w" == -* ]]; then',
    `      [[ "$w" != *=* ]] && ${fn}_takes_value "$path" "$w" && skip=1`,
    '      continue',
    '    fi',
    `    ${fn}_is_command "$path" "$w" && path="\${path:+$path }$w"`,
    '  done',
    '  local values',
    `  if [[ "$prev" == -* ]] && ${fn}_takes_value "$path" "$prev"; then`,
    `    values="$(${fn}_choices "$path" "$prev")"`,
    '    if [[ -n "$values" ]]; then COMPREPLY=( $(compgen -W "$values" -- "$cur") ); else COMPREPLY=( $(compgen -f -- "$cur") ); fi',
    '    return 0',
    '  fi',
    '  if [[ "$cur" == -* ]]; then',
    `    COMPREPLY=( $(compgen -W "$(${fn}_options "$path")" -- "$cur") )`,
    '  else',
    `    values="$(${fn}_commands "$path")"`,
    '    if [[ -n "$values" ]]; then COMPREPLY=( $(compgen -W "$values" -- "$cur") ); else COMPREPLY=( $(compgen -f -- "$cur") ); fi',
    '  fi',
    '}',
    `${fn}_commands() {`,
    '  case "$1" in',
    ...nodes
      .filter((n) => n.children.length)
      .map(
        (n) =>
          `    ${quoted(n.path.join(' '))}) echo ${quoted(n.children.map((c) => c.path.at(-1)).join(' '))} ;;`,
      ),
    '  esac',
    '}',
    `${fn}_is_command() {`,
    `  [[ " $(${fn}_commands "$1") " == *" $2 "* ]]`,
    '}',
    `${fn}_options() {`,
    '  case "$1" in',
    ...nodes.map(
      (n) =>
        `    ${quoted(n.path.join(' '))}) echo ${quoted(n.options.flatMap((o) => [o.long, o.short].filter(Boolean)).join(' '))} ;;`,
    ),
    '  esac',
    '}',
    `${fn}_takes_value() {`,
    '  case "$1|$2" in',
    ...nodes.flatMap((n) =>
      n.options
        .filter((o) => o.takesValue)
        .flatMap((o) =>
          [o.long, o.short]
            .filter(Boolean)
            .map((flag) => `    ${quoted(`${n.path.join(' ')}|${flag}`)}) return 0 ;;`),
        ),
    ),
    '  esac',
    '  return 1',
    '}',
    `${fn}_choices() {`,
    '  case "$1|$2" in',
    ...nodes.flatMap((n) =>
      n.options
        .filter((o) => o.choices?.length)
        .flatMap((o) =>
          [o.long, o.short]
            .filter(Boolean)
            .map(
              (flag) =>
                `    ${quoted(`${n.path.join(' ')}|${flag}`)}) echo ${quoted(o.choices!.join(' '))} ;;`,
            ),
        ),
    ),
    '  esac',
    '}',
    `complete -o default -F ${fn} ${program}`,
    '',
  ];
  return lines.join('\n');
}

function zsh(program: string, root: Node): string {
  return [
    `#compdef ${program}`,
    `# ${program} completion for zsh. Load it with: source <(${program} completion zsh)`,
    'autoload -U +X bashcompinit && bashcompinit',
    bash(program, root),
  ].join('\n');
}

function fish(program: string, root: Node): string {
  const lines = [`# ${program} completion for fish. Load it with: ${program} completion fish | source`];
  lines.push(`complete -c ${program} -f`);
  for (const node of walk(root)) {
    // In `sandbox up`: every name of the path seen, and no subcommand of the node yet.
    const seen = node.path.map((p) => `__fish_seen_subcommand_from ${p}`);
    const below = node.children.map((c) => c.path.at(-1)!);
    const none = below.length ? [`not __fish_seen_subcommand_from ${below.join(' ')}`] : [];
    const condition = node.path.length ? [...seen, ...none].join('; and ') : '__fish_use_subcommand';
    for (const child of node.children)
      lines.push(
        `complete -c ${program} -n ${quoted(node.path.length ? condition : '__fish_use_subcommand')} -a ${quoted(child.path.at(-1)!)} -d ${quoted(child.summary)}`,
      );
    for (const o of node.options) {
      const flags = [
        o.long ? `-l ${o.long.replace(/^--/, '')}` : '',
        o.short ? `-s ${o.short.replace(/^-/, '')}` : '',
      ].filter(Boolean);
      const value = o.takesValue
        ? o.choices?.length
          ? ` -x -a ${quoted(o.choices.join(' '))}`
          : ' -r -F'
        : '';
      lines.push(
        `complete -c ${program} -n ${quoted(condition)} ${flags.join(' ')}${value} -d ${quoted(o.description)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, program: Command): string {
  const root = treeOf(program);
  const name = program.name();
  return shell === 'bash' ? bash(name, root) : shell === 'zsh' ? zsh(name, root) : fish(name, root);
}
