/** A temporary folder for one test file, removed afterwards, with a helper to write files into it. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface TempDir {
  path(): string;
  /** Writes `text` to `name` in the folder and returns the file's path. */
  write(name: string, text: string): Promise<string>;
}

export function useTempDir(prefix: string): TempDir {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const path = (): string => {
    if (!dir) throw new Error('the temporary folder exists only inside tests');
    return dir;
  };
  return {
    path,
    async write(name, text) {
      const file = join(path(), name);
      await writeFile(file, text);
      return file;
    },
  };
}
