import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { Command, Invocation, OutputFormat } from './command.ts';
import { commandSpecs, globalOptions, type CommandSpec } from './command-specs.ts';
import { UsageError } from './errors.ts';

const helpGlobals = { connection: undefined, output: 'text', verbose: false } as const;
const groups = new Set(commandSpecs.map((spec) => spec.name.split(' ')[0]!));

/**
 * `argv` without node and the script: `[global options] <command words> [options and arguments]`.
 * Throws UsageError naming the option or argument that is wrong.
 */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const { leading, words, rest } = splitCommandWords(argv);
  const help = helpInvocation(words, [...leading, ...rest]);
  if (help) return help;
  const spec = findSpec(words);
  const { values, positionals } = parseOptions([...leading, ...rest], { ...globalOptions, ...spec.options }, spec);
  const globals = {
    connection: typeof values['connection'] === 'string' ? values['connection'] : undefined,
    output: outputFormat(values, spec),
    verbose: values['verbose'] === true,
  };
  if (values['help'] === true) return { command: { name: 'help', topic: spec.name }, globals };
  return { command: buildCommand(spec, values, positionals), globals };
}

/** `spillway`, `spillway help [topic]`, `spillway --help`, `spillway ingest --help`; undefined for anything else. */
function helpInvocation(words: readonly string[], options: readonly string[]): Invocation | undefined {
  const asksHelp = options.some((token) => token === '--help' || token === '-h');
  if (words.length === 0) {
    if (!asksHelp) throw new UsageError('no command given');
    return { command: { name: 'help', topic: undefined }, globals: helpGlobals };
  }
  if (words[0] === 'help') return { command: { name: 'help', topic: words.slice(1).join(' ') || undefined }, globals: helpGlobals };
  if (asksHelp && groups.has(words.join(' '))) return { command: { name: 'help', topic: words.join(' ') }, globals: helpGlobals };
  return undefined;
}

function buildCommand(spec: CommandSpec, values: Readonly<Record<string, unknown>>, positionals: readonly string[]): Command {
  if (positionals.length > spec.positionals.length) {
    throw new UsageError(`unexpected argument '${positionals[spec.positionals.length]}'`, spec.name);
  }
  const input: Record<string, unknown> = {};
  for (const name of Object.keys(spec.options)) input[name] = values[name];
  spec.positionals.forEach((name, index) => (input[name] = positionals[index]));
  const parsed = spec.schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const label = spec.positionals.includes(key) ? `<${key}>` : `--${key}`;
  const message = input[key] === undefined ? 'is required' : issue.message;
  throw new UsageError(`${label} ${message}`, spec.name);
}

function splitCommandWords(argv: readonly string[]): { leading: string[]; words: string[]; rest: string[] } {
  const leading: string[] = [];
  let index = 0;
  // Global options may come before the command; those taking a value consume the next word.
  while (index < argv.length && argv[index]!.startsWith('-')) {
    const token = argv[index]!;
    leading.push(token);
    index++;
    if ((token === '--connection' || token === '--output') && index < argv.length) leading.push(argv[index++]!);
  }
  const first = argv[index];
  if (first === undefined) return { leading, words: [], rest: [] };
  const wordCount = groups.has(first) && first !== 'apply' && argv[index + 1] !== undefined && !argv[index + 1]!.startsWith('-') ? 2 : 1;
  const words = argv.slice(index, index + wordCount);
  // `help <command words>` keeps the rest as the topic.
  if (first === 'help') return { leading, words: argv.slice(index), rest: [] };
  return { leading, words, rest: argv.slice(index + wordCount) };
}

function findSpec(words: readonly string[]): CommandSpec {
  const name = words.join(' ');
  const spec = commandSpecs.find((candidate) => candidate.name === name);
  if (spec) return spec;
  const group = words[0]!;
  if (groups.has(group) && group !== 'apply') {
    const known = commandSpecs.filter((candidate) => candidate.name.startsWith(`${group} `)).map((candidate) => candidate.name.split(' ')[1]);
    const what = words.length > 1 ? `unknown ${group} command '${words[1]}'` : `'${group}' needs a command`;
    throw new UsageError(`${what}; expected one of ${known.join(', ')}`);
  }
  throw new UsageError(`unknown command '${name}'`);
}

function parseOptions(args: string[], options: ParseArgsOptionsConfig, spec: CommandSpec) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's messages go on to explain `--`; the first sentence is the useful part.
    const message = error instanceof Error ? (error.message.split(/\. (?=[A-Z])/)[0] ?? error.message) : String(error);
    throw new UsageError(message.charAt(0).toLowerCase() + message.slice(1), spec.name);
  }
}

function outputFormat(values: Record<string, unknown>, spec: CommandSpec): OutputFormat {
  const output = values['output'];
  if (output !== undefined && output !== 'text' && output !== 'json') throw new UsageError("--output must be 'text' or 'json'", spec.name);
  if (output === 'json') return 'json';
  return values['json'] === true ? 'json' : 'text';
}
