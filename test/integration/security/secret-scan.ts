/**
 * Finds secrets in text and files: as written, and in the encodings a leak
 * usually takes (Base64 in a Basic header, form- or URL-encoding in a logged
 * request, JSON string escaping).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A secret and a label for the report (never print the secret itself in a failing assertion). */
export interface Secret {
  label: string;
  value: string;
}

function encodings(value: string): string[] {
  const forms = new Set([
    value,
    Buffer.from(value, 'utf8').toString('base64'),
    Buffer.from(value, 'utf8').toString('base64url'),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
  ]);
  // Base64 of a short string may be padded differently inside a longer one; its unpadded stem is what to look for.
  return [...forms].map((form) => form.replace(/=+$/, '')).filter((form) => form.length >= 8);
}

/** Labels of the secrets found in `text`; `allowed` values (the token the user asked for) are removed first. */
export function secretsIn(text: string, secrets: readonly Secret[], allowed: readonly string[] = []): string[] {
  let haystack = text;
  for (const value of allowed) if (value) haystack = haystack.split(value).join('<allowed>');
  const found: string[] = [];
  for (const secret of secrets) {
    if (encodings(secret.value).some((form) => haystack.includes(form))) found.push(secret.label);
  }
  return found;
}

/** Every file under `dir` (recursively) with the labels of the secrets it contains, read as UTF-8 and as Latin-1 bytes. */
export async function secretsInFolder(dir: string, secrets: readonly Secret[]): Promise<{ file: string; found: string[] }[]> {
  const hits: { file: string; found: string[] }[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return; // removed while we looked (a lock file)
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const bytes = await readFile(path).catch(() => undefined);
        if (!bytes) continue;
        const found = [...new Set([...secretsIn(bytes.toString('utf8'), secrets), ...secretsIn(bytes.toString('latin1'), secrets)])];
        if (found.length) hits.push({ file: path, found });
      }
    }
  };
  await walk(dir);
  return hits;
}

/** Lists every file under `dir` (so a test can prove the scan looked at something). */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true }).catch(() => [])) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(path);
    }
  };
  await walk(dir);
  return out;
}
