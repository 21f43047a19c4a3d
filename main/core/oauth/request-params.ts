/**
 * Request parameters as the protocol modules build them. Most parameters
 * have one value; RFC 8707's `resource` is repeated once per value
 * (`resource=a&resource=b`), which a plain record of strings cannot say.
 */

/** Parameter name -> one value, or several sent as the same name repeated, in order. */
export type RequestParams = Record<string, string | readonly string[]>;

/**
 * The form (or query) for `params`: an array value becomes one pair per
 * element, in order; an empty array sends nothing.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export function toSearchParams(params: RequestParams): URLSearchParams {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string') form.append(name, value);
    else for (const item of value) form.append(name, item);
  }
  return form;
}

/** Every value of `params` as a flat list (for redaction). */
export function paramValues(params: RequestParams, names: readonly string[]): string[] {
  return names.flatMap((name) => {
    const value = params[name];
    return value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
  });
}
