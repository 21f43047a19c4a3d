/**
 * Finds secrets in text and files: as written, and in the encodings a leak
 * usually takes (Base64 in a Basic header of either variant, form-encoding
 * with `+` or `%20` or URL-encoding in a logged request, JSON string escaping).
 * Written independently of main/core/oauth/redaction.ts on purpose: the scan
 * is the judge of the redaction, not a copy of it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A secret and a label for the report (never print the secret itself in a failing assertion). */
export interface Secret {
  label: string;
  value: string;
  /**
   * For a client secret: its client id, so that the Base64 of `id:secret` in
   * both HTTP Basic variants (RFC 6749 2.3.1 form-encoded, and raw) is looked for too.
   */
  clientId?: string;
}

/** application/x-www-form-urlencoded, space as `+` (what URLSearchParams and most servers write). */
function formPlus(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * Base64 of any text that CONTAINS `value`, whatever its offset: the
 * characters of the 3-byte groups that lie wholly inside `value`, for each of
 * the three alignments it can have. Catches a secret inside a Base64 blob (a
 * Basic header with another id, a Base64-encoded request echoed back).
 */
function base64AnyOffset(value: string, alphabet: 'base64' | 'base64url'): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const stems: string[] = [];
  for (let skip = 0; skip < 3; skip++) {
    const whole = Math.floor((bytes.length - skip) / 3) * 3;
    if (whole > 0) stems.push(bytes.subarray(skip, skip + whole).toString(alphabet));
  }
  return stems;
}

/** JSON escaping with every non-ASCII character as \uXXXX. */
function asciiJson(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function encodings(secret: Secret): string[] {
  const { value } = secret;
  const json = JSON.stringify(value).slice(1, -1);
  const textual = new Set([
    value,
    encodeURIComponent(value),
    // Form-encoding writes a space as `+`; many servers and proxies write `%20` instead.
    formPlus(value),
    formPlus(value).replace(/\+/g, '%20'),
    json,
    json.replace(/\//g, '\\/'),
    asciiJson(json),
    // PHP's json_encode default escapes both.
    asciiJson(json.replace(/\//g, '\\/')),
    // An HTML error page quoting the request.
    value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#039;'),
    value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
  ]);
  for (const form of [...textual]) if (/%[0-9A-F]{2}/.test(form)) textual.add(form.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()));
  const forms = new Set(textual);
  // The Base64 of each textual form at any offset: the basic variant Base64-encodes the form-encoded secret.
  for (const form of [value, formPlus(value)]) for (const stem of [...base64AnyOffset(form, 'base64'), ...base64AnyOffset(form, 'base64url')]) forms.add(stem);
  if (secret.clientId !== undefined) {
    // The two HTTP Basic variants exactly as a client sends them.
    forms.add(Buffer.from(`${formPlus(secret.clientId)}:${formPlus(value)}`, 'utf8').toString('base64'));
    forms.add(Buffer.from(`${secret.clientId}:${value}`, 'utf8').toString('base64'));
  }
  // Base64 of a short string may be padded differently inside a longer one; its unpadded stem is what to look for.
  return [...forms].map((form) => form.replace(/=+$/, '')).filter((form) => form.length >= 8);
}

/** Labels of the secrets found in `text`; `allowed` values (the token the user asked for) are removed first. */
export function secretsIn(text: string, secrets: readonly Secret[], allowed: readonly string[] = []): string[] {
  let haystack = text;
  for (const value of allowed) if (value) haystack = haystack.split(value).join('<allowed>');
  const found: string[] = [];
  for (const secret of secrets) {
    if (encodings(secret).some((form) => haystack.includes(form))) found.push(secret.label);
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
