/**
 * A small, strict argument parser: known flags only, values required where
 * declared, unknown flags are usage errors (exit 2) that name the flag.
 * Long flags are `--name VALUE` or `--name=VALUE`; a flag may also have a
 * one-letter form, written as curl writes it: `-X POST` or `-XPOST`.
 */
import { InputError } from '../core/errors.js';

export interface FlagSpec {
  /** true: takes a value (`--format json` or `--format=json`). */
  value: boolean;
  choices?: readonly string[];
  /** One letter: the flag may be written `-L VALUE` or `-LVALUE` (only flags that take a value). */
  short?: string;
  /** May be given more than once: every value is kept, in order (`listFlag`). */
  repeatable?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  /** The last value of each flag given (true for a flag without value). */
  flags: Map<string, string | true>;
  /** Every value of each repeatable flag, in the order given. */
  lists: Map<string, string[]>;
}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>, usage: string): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const shortNames = new Map<string, string>();
  for (const [name, flag] of Object.entries(spec)) if (flag.short) shortNames.set(flag.short, name);
  const setValue = (name: string, value: string, shown: string) => {
    const flag = spec[name]!;
    if (flag.choices && !flag.choices.includes(value)) {
      throw usageError(`The option ${shown} must be one of ${flag.choices.join(', ')}, not "${value}".`, usage);
    }
    flags.set(name, value);
    if (flag.repeatable) lists.set(name, [...(lists.get(name) ?? []), value]);
  };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) {
      const name = shortNames.get(arg[1]!);
      if (name === undefined) throw usageError(`Unknown option "${arg}".`, usage);
      const attached = arg.slice(2);
      const value = attached !== '' ? attached : argv[++index];
      if (value === undefined || (attached === '' && value.startsWith('--'))) throw usageError(`The option -${arg[1]} needs a value.`, usage);
      setValue(name, value, `-${arg[1]}`);
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
    setValue(rawName, value, `--${rawName}`);
  }
  return { positionals, flags, lists };
}

export function usageError(message: string, usage: string): InputError {
  return new InputError('ERR_INPUT_USAGE', `${message}\n\n${usage}`);
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Every value of a repeatable flag, in order; empty when it was not given. */
export function listFlag(args: ParsedArgs, name: string): string[] {
  return args.lists.get(name) ?? [];
}

/** A flag's value as a whole number within [min, max], `fallback` when absent; anything else is a usage error. */
export function wholeNumberFlag(args: ParsedArgs, name: string, bounds: { min: number; max: number; fallback: number; unit: string }, usage: string): number {
  const raw = stringFlag(args, name);
  if (raw === undefined) return bounds.fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < bounds.min || Number(raw) > bounds.max) {
    throw usageError(`The option --${name} must be a whole number of ${bounds.unit} from ${bounds.min} to ${bounds.max}, not "${raw}".`, usage);
  }
  return Number(raw);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
