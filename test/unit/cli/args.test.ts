/** The CLI's argument parser: long flags as before, and curl-style short flags for `request` (-X, -H repeated, -d). */
import { describe, expect, it } from 'vitest';
import { listFlag, parseArgs, stringFlag } from '../../../main/cli/args.js';

const spec = {
  vault: { value: true },
  force: { value: false },
  method: { value: true, short: 'X' },
  header: { value: true, short: 'H', repeatable: true },
  data: { value: true, short: 'd' },
};

describe('parseArgs', () => {
  it('reads -X VALUE, -XVALUE, repeated -H in order, and -d next to long flags', () => {
    const args = parseArgs(['NAME', '-XPOST', '-H', 'A: 1', '--vault=dir', '-HB: 2', 'URL', '-d', '-not-a-flag', '--force'], spec, 'usage');
    expect(args.positionals).toEqual(['NAME', 'URL']);
    expect(stringFlag(args, 'method')).toBe('POST');
    expect(listFlag(args, 'header')).toEqual(['A: 1', 'B: 2']);
    expect(stringFlag(args, 'data')).toBe('-not-a-flag');
    expect(stringFlag(args, 'vault')).toBe('dir');
    expect(args.flags.get('force')).toBe(true);
    expect(listFlag(args, 'data')).toEqual([]);
  });

  it('keeps - and everything after -- as positionals', () => {
    expect(parseArgs(['-', '--', '-X', '--force'], spec, 'usage').positionals).toEqual(['-', '-X', '--force']);
  });

  it('refuses unknown short flags, and short flags without a value', () => {
    expect(() => parseArgs(['-Z'], spec, 'usage')).toThrow(/Unknown option "-Z"/);
    expect(() => parseArgs(['-H'], spec, 'usage')).toThrow(/-H needs a value/);
    expect(() => parseArgs(['-H', '--force'], spec, 'usage')).toThrow(/-H needs a value/);
    // Commands without short flags refuse them as before.
    expect(() => parseArgs(['-X', 'POST'], { vault: { value: true } }, 'usage')).toThrow(/Unknown option "-X"/);
  });
});
