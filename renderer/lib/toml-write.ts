/**
 * Builds credentials TOML from the preset and discovery forms, so a form goes
 * through exactly the same importer (preview, validation, aliases) as pasted
 * text. Only strings and string arrays are needed.
 */

/** A TOML basic string. JSON escapes are valid TOML escapes; DEL must be escaped too. */
export function tomlString(value: string): string {
  return JSON.stringify(value).replace(/\u007f/g, '\\u007F');
}

export type TomlValue = string | string[] | undefined;

/** One flat table of key = value lines; empty values are left out. */
export function toToml(fields: Record<string, TomlValue>): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      lines.push(`${key} = [${value.map(tomlString).join(', ')}]`);
    } else if (value.trim() !== '') {
      lines.push(`${key} = ${tomlString(value.trim())}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function splitScopes(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}
