/**
 * A small, strict argument parser: known flags only, values required where
 * declared, unknown flags are usage errors (exit 2) that name the flag.
 */
import { InputError } from '../core/errors.js';

export interface FlagSpec {
  /** true: takes a value (`--format json` or `--format=json`). */
  value: boolean;
  choices?: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>, usage: string): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw usageError(`Unknown option "${arg}".`, usage);
      positionals.push(arg);
      continue;
    }
    const [rawName, inlineValue] = splitOnce(arg.slice(2), '=');
    const flag = spec[rawName];
    if (!flag) throw usageError(`Unknown option "--${rawName}".`, usage);
    if (!flag.value) {
      if (inlineValue !== undefined) throw usageError(`The option --${rawName} takes no value.`, usage);
      flags.set(rawName, true);
      continue;
    }
    const value = inlineValue ?? argv[++index];
    if (value === undefined || (inlineValue === undefined && value.startsWith('--'))) {
      throw usageError(`The option --${rawName} needs a value.`, usage);
    }
    if (flag.choices && !flag.choices.includes(value)) {
      throw usageError(`The option --${rawName} must be one of ${flag.choices.join(', ')}, not "${value}".`, usage);
    }
    flags.set(rawName, value);
  }
  return { positionals, flags };
}

export function usageError(message: string, usage: string): InputError {
  return new InputError('ERR_INPUT_USAGE', `${message}\n\n${usage}`);
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
