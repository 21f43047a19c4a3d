/**
 * Inputs for the importer: the fixture TOML files mutated the ways pasted text
 * gets damaged (and worse), random strings, and key JSON files with fields of
 * wrong types.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

const FIXTURES = join(import.meta.dirname, '../fixtures/import');
export const VALID_TOML: readonly string[] = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.toml'))
  .sort()
  .map((file) => readFileSync(join(FIXTURES, file), 'utf8'));

type Mutation = (text: string) => string;

const at = (text: string, position: number): number => (text.length === 0 ? 0 : position % (text.length + 1));

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({ unit: fc.constantFrom(...'[]{}="\'.,#\\\n\r\t =_-:+0123456789abcxyzTZ\u0000\u007f\ufeff\u2028'.split('')), maxLength: 20 }),
);

const flipByte: fc.Arbitrary<Mutation> = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([position, bit]) => (text) => {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return text;
  const i = position % bytes.length;
  bytes[i] = bytes[i]! ^ (1 << bit);
  return bytes.toString('utf8');
});
const insert: fc.Arbitrary<Mutation> = fc.tuple(fc.nat(), anyText).map(([position, piece]) => (text) => {
  const i = at(text, position);
  return text.slice(0, i) + piece + text.slice(i);
});
const remove: fc.Arbitrary<Mutation> = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(([position, length]) => (text) => {
  const i = at(text, position);
  return text.slice(0, i) + text.slice(i + length);
});
const truncate: fc.Arbitrary<Mutation> = fc.nat().map((position) => (text) => text.slice(0, at(text, position)));
const crlf: fc.Arbitrary<Mutation> = fc.constant((text: string) => text.replace(/\n/g, '\r\n'));
const loneCr: fc.Arbitrary<Mutation> = fc.constant((text: string) => text.replace(/\n/g, '\r'));
const bom: fc.Arbitrary<Mutation> = fc.constantFrom((text: string) => `\ufeff${text}`, (text: string) => `\ufeff\ufeff${text}`, (text: string) => `${text}\ufeff`);
const duplicateLine: fc.Arbitrary<Mutation> = fc.tuple(fc.nat(), fc.nat()).map(([from, to]) => (text) => {
  const lines = text.split('\n');
  const line = lines[from % lines.length]!;
  lines.splice(to % (lines.length + 1), 0, line);
  return lines.join('\n');
});
const swapLines: fc.Arbitrary<Mutation> = fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (text) => {
  const lines = text.split('\n');
  const i = a % lines.length;
  const j = b % lines.length;
  [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  return lines.join('\n');
});
/**
 * Deep arrays, inline tables and dotted keys, beyond smol-toml's depth limit
 * (1,000) too, up to 12,000 levels (a 12,000-part dotted key once took
 * KeyLocator 1.7 s; it now locates at most 32 levels).
 */
const deepNesting: fc.Arbitrary<Mutation> = fc.tuple(fc.integer({ min: 1, max: 12_000 }), fc.constantFrom('array', 'inline', 'dotted', 'header'), fc.nat()).map(
  ([depth, kind, position]) => (text) => {
    let piece: string;
    if (kind === 'array') piece = `scopes = ${'['.repeat(depth)}"x"${']'.repeat(depth)}\n`;
    else if (kind === 'inline') piece = `key = ${'{ a = '.repeat(depth)}1${' }'.repeat(depth)}\n`;
    else if (kind === 'dotted') piece = `${Array.from({ length: depth }, () => 'a').join('.')} = 1\n`;
    else piece = `[${Array.from({ length: depth }, () => 'accounts').join('.')}]\nclient_id = "x"\n`;
    const lines = text.split('\n');
    lines.splice(position % (lines.length + 1), 0, piece);
    return lines.join('\n');
  },
);
/** Values of the wrong TOML type for known keys. */
const wrongType: fc.Arbitrary<Mutation> = fc
  .tuple(
    fc.constantFrom('name', 'grant', 'token_url', 'client_id', 'client_secret', 'client_auth', 'scopes', 'scope', 'preset', 'base_url', 'key', 'key_file', 'extra', 'accounts', 'access_token', 'request_budget', 'scope_separator'),
    fc.constantFrom('1', '-0.0', 'inf', 'nan', 'true', '1979-05-27T07:32:00Z', '07:32:00', '[]', '[1, "a"]', '{}', '{ a = { b = 1 } }', '""', '" "', '"\\u0000"', '"https://example.com:99999/"', '"http://10.0.0.1/token"', '"\u202e"'),
  )
  .map(([key, value]) => (text) => `${key} = ${value}\n${text}`);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(flipByte, insert, remove, truncate, crlf, loneCr, bom, duplicateLine, swapLines, deepNesting, wrongType);

/** A fixture TOML with one to four mutations applied in sequence. */
export const mutatedToml: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...VALID_TOML), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([text, mutations]) => mutations.reduce((current, mutate) => mutate(current), text));

export const randomText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: fc.constantFrom(...'[]{}="\'.,#\n\r =abc_-123'.split('')), maxLength: 300 }),
  fc.lorem({ maxCount: 20 }),
);

const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string(), fc.double(), fc.integer(), fc.constant(null), fc.boolean());

/** Key JSON files: each field present or not, well typed or not, plus extras; sometimes a BOM or leading blank lines. */
export function keyJsonText(validPem: string): fc.Arbitrary<string> {
  const field = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: good }, { weight: 1, arbitrary: anyJson });
  const record = fc.record(
    {
      type: field(fc.constantFrom('serviceaccount', 'application', 'user', '')),
      keyId: field(fc.oneof(fc.constant('130509901696068329'), fc.string())),
      key: field(fc.oneof(fc.constant(validPem), fc.constant(validPem.replace(/\n/g, ' ')), fc.constant(validPem.slice(0, 200)), fc.string())),
      userId: field(fc.oneof(fc.constant('180507859606888466'), fc.string())),
      clientId: field(fc.string()),
      expirationDate: field(fc.constant('9999-12-31T23:59:59Z')),
    },
    { requiredKeys: [] },
  );
  const extras = fc.dictionary(fc.string({ maxLength: 10 }), anyJson, { maxKeys: 3 });
  return fc
    .tuple(record, extras, fc.constantFrom('', '\ufeff', '\n\n  ', '\r\n'), fc.option(fc.nat(), { nil: undefined }))
    .map(([fields, more, prefix, cut]) => {
      const text = prefix + JSON.stringify({ ...more, ...fields }, null, cut !== undefined && cut % 2 === 0 ? 2 : undefined);
      // Sometimes cut short, as a half-copied file would be.
      return cut !== undefined && cut % 3 === 0 ? text.slice(0, at(text, cut)) : text;
    });
}

/** Deeply nested JSON that still starts with `{`, so it goes down the key-JSON path. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) => (arrays ? `{"key":${'['.repeat(depth)}${']'.repeat(depth)}}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));
