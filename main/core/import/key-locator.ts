/**
 * Where a key sits in a TOML text. smol-toml returns values without positions,
 * so semantic errors (unknown key, wrong type) find their line and column by
 * scanning the text: table headers and `key = value` lines are mapped to the
 * position of their first occurrence. Good enough for locating; the parser
 * stays the authority on what the document means.
 */

export interface Position {
  line: number;
  column: number;
}

const KEY_PART = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')`;
const DOTTED_KEY = String.raw`${KEY_PART}(?:\s*\.\s*${KEY_PART})*`;
const KEY_LINE = new RegExp(String.raw`^(\s*)(${DOTTED_KEY})\s*=`);
const TABLE_HEADER = new RegExp(String.raw`^(\s*)\[\s*(${DOTTED_KEY})\s*\]`);
const ARRAY_HEADER = new RegExp(String.raw`^(\s*)\[\[\s*(${DOTTED_KEY})\s*\]\]`);
const INLINE_KEY = new RegExp(String.raw`([{,]\s*)(${DOTTED_KEY})\s*=`, 'g');

function splitKey(dotted: string): string[] {
  const parts: string[] = [];
  const re = new RegExp(KEY_PART, 'g');
  for (const match of dotted.matchAll(re)) {
    const raw = match[0];
    if (raw.startsWith('"')) {
      try {
        parts.push(JSON.parse(raw) as string);
      } catch {
        parts.push(raw.slice(1, -1));
      }
    } else if (raw.startsWith("'")) parts.push(raw.slice(1, -1));
    else parts.push(raw);
  }
  return parts;
}

const pathKey = (path: readonly string[]): string => path.join('\u0000');

/** Where the keys of a document sit: a TOML text (KeyLocator), label lines or a JSON object (NameLocator). */
export interface Locator {
  /** Position of `path`, else of its nearest located parent, else undefined. */
  find(path: readonly string[]): Position | undefined;
  /** Position of exactly `path`, without falling back to a parent. */
  exact(path: readonly string[]): Position | undefined;
}

/**
 * Locates keys by their own name, wherever they are: for texts that are not
 * TOML (label lines, a JSON object), whose keys are found by a scan of the
 * text and are almost always one flat level.
 */
export class NameLocator implements Locator {
  readonly #positions: ReadonlyMap<string, Position>;
  constructor(positions: ReadonlyMap<string, Position>) {
    this.#positions = positions;
  }
  find(path: readonly string[]): Position | undefined {
    for (let i = path.length; i > 0; i--) {
      const found = this.#positions.get(path[i - 1]!);
      if (found) return found;
    }
    return undefined;
  }
  exact(path: readonly string[]): Position | undefined {
    return path.length > 0 ? this.#positions.get(path.at(-1)!) : undefined;
  }
}

/** No credentials file nests deeper than a few levels; beyond this, parents stand in. */
const MAX_LOCATED_DEPTH = 32;

/** Maps dotted paths (array-of-tables elements by index: `accounts.0.name`) to positions. */
export class KeyLocator implements Locator {
  readonly #positions = new Map<string, Position>();

  constructor(text: string) {
    const lines = text.split('\n');
    let table: string[] = [];
    const arrayCounts = new Map<string, number>();
    let openMultiline: '"""' | "'''" | undefined;
    lines.forEach((line, index) => {
      const lineNo = index + 1;
      if (openMultiline) {
        if (line.includes(openMultiline)) openMultiline = undefined;
        return;
      }
      let match: RegExpExecArray | null;
      if ((match = ARRAY_HEADER.exec(line))) {
        const path = splitKey(match[2]!);
        const count = arrayCounts.get(pathKey(path)) ?? 0;
        arrayCounts.set(pathKey(path), count + 1);
        table = [...path, String(count)];
        this.#remember(table, { line: lineNo, column: match[1]!.length + 1 });
        return;
      }
      if ((match = TABLE_HEADER.exec(line))) {
        table = splitKey(match[2]!);
        this.#remember(table, { line: lineNo, column: match[1]!.length + 1 });
        return;
      }
      if ((match = KEY_LINE.exec(line))) {
        const keyPath = [...table, ...splitKey(match[2]!)];
        this.#remember(keyPath, { line: lineNo, column: match[1]!.length + 1 });
        const rest = line.slice(match[0].length);
        if (rest.trimStart().startsWith('{')) {
          const offset = match[0].length;
          for (const inner of rest.matchAll(INLINE_KEY)) {
            this.#remember([...keyPath, ...splitKey(inner[2]!)], { line: lineNo, column: offset + inner.index + inner[1]!.length + 1 });
          }
        }
        for (const delimiter of ['"""', "'''"] as const) {
          if (rest.split(delimiter).length % 2 === 0) openMultiline = delimiter;
        }
      }
    });
  }

  #remember(fullPath: readonly string[], position: Position): void {
    // Deeper keys are located by their first MAX_LOCATED_DEPTH parts: a pasted
    // `a.a.a...` of thousands of parts would otherwise cost quadratic time.
    const path = fullPath.slice(0, MAX_LOCATED_DEPTH);
    // A dotted key also locates its parents (`key.type = ...` locates `key`).
    for (let i = path.length; i > 0; i--) {
      const key = pathKey(path.slice(0, i));
      if (!this.#positions.has(key)) this.#positions.set(key, position);
    }
  }

  /** Position of `path`, else of its nearest located parent, else undefined. */
  find(fullPath: readonly string[]): Position | undefined {
    const path = fullPath.slice(0, MAX_LOCATED_DEPTH);
    for (let i = path.length; i > 0; i--) {
      const found = this.#positions.get(pathKey(path.slice(0, i)));
      if (found) return found;
    }
    return undefined;
  }

  /** Position of exactly `path`, without falling back to a parent. */
  exact(path: readonly string[]): Position | undefined {
    return this.#positions.get(pathKey(path));
  }
}
