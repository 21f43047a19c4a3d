/**
 * Import problems of a provider form, put next to the form's fields in words
 * (issue 13 item 3). The forms build TOML (toml-write.ts) and send it through
 * the importer, whose problems name the TOML key in `field`; the user never
 * saw that TOML, so "form.toml, line 1, column 1" or `client_auth "query"`
 * means nothing to them. Shown only after Save was pressed.
 */
import type { ImportProblem, ImportConflict } from '../../shared/ipc.js';
import type { CredentialValues } from './add-draft.svelte.js';

export type FormField = keyof CredentialValues | 'preset' | 'baseUrl' | 'issuer';
export type FieldErrors = Partial<Record<FormField, string>>;

export interface FormContext {
  /** The provider's name as staff know it ("Vyopta"); undefined for a looked-up server. */
  provider: string | undefined;
  /** The form field that holds the server's address: the provider address, or the looked-up issuer. */
  addressField: 'baseUrl' | 'issuer';
}

/** Canonical TOML keys the forms write (or that presets fill in from the address). */
function formField(key: string, context: FormContext): FormField | undefined {
  switch (key) {
    case 'name':
      return 'name';
    case 'client_id':
      return 'clientId';
    case 'client_secret':
      return 'clientSecret';
    case 'username':
      return 'username';
    case 'password':
      return 'password';
    case 'access_token':
      return 'accessToken';
    case 'scopes':
    case 'scope_separator':
      return 'scopes';
    case 'api_url':
      return 'apiUrl';
    case 'base_url':
    case 'preset':
    case 'issuer':
    case 'token_url':
    case 'authorize_url':
    case 'revoke_url':
    case 'device_authorization_url':
      return context.addressField;
    default:
      return undefined;
  }
}

/** What to type, for a field the importer found missing. */
export function missingText(field: FormField, context: FormContext): string {
  const vendor = context.provider ?? 'your vendor';
  switch (field) {
    case 'name':
      return 'Enter a name for this account.';
    case 'clientId':
      return `Enter the client ID ${vendor} gave you.`;
    case 'clientSecret':
      return `Enter the client secret ${vendor} gave you.`;
    case 'username':
      return context.provider ? `Enter your ${context.provider} user name.` : 'Enter your user name.';
    case 'password':
      return context.provider ? `Enter your ${context.provider} password.` : 'Enter your password.';
    case 'accessToken':
      return `Enter the personal access token from ${vendor}.`;
    case 'preset':
      return 'Choose a provider.';
    case 'baseUrl':
      return `Enter the ${context.provider ?? 'provider'} address.`;
    case 'issuer':
      return 'Enter the server address and press Look up.';
    case 'scopes':
    case 'apiUrl':
      return 'Fill in this field.';
  }
}

/** What is wrong with a value the user typed. */
function invalidText(field: FormField, problem: ImportProblem): string {
  switch (field) {
    case 'baseUrl':
    case 'issuer':
    case 'apiUrl':
      return 'Enter a full address that starts with https://, for example https://api.example.com.';
    case 'scopes':
      return 'Enter the scopes as words separated by spaces.';
    case 'name':
      return 'Choose another name for this account.';
    default:
      return sentence(withoutLocation(problem.message));
  }
}

/** "form.toml, line 1, column 1 (field "x"): the …" -> "the …": the user never saw that file. */
export function withoutLocation(message: string): string {
  return message.replace(/^(?:[^:\n]*?line \d+(?:, column \d+)?(?: \(field "[^"]*"\))?|[^\s:]+(?: \(field "[^"]*"\))?|[\w.[\]-]+): /u, '');
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const upper = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/u.test(upper) ? upper : `${upper}.`;
}

/**
 * Each problem next to its field (the first one per field), and those that
 * belong to no field of the form, in words without a file location.
 */
export function formProblems(problems: readonly ImportProblem[], conflicts: readonly ImportConflict[], context: FormContext): { fields: FieldErrors; other: string[] } {
  const fields: FieldErrors = {};
  const other: string[] = [];
  for (const problem of problems) {
    const key = problem.field?.split('.')[0];
    const field = key ? formField(key, context) : undefined;
    if (!field) {
      other.push(sentence(withoutLocation(problem.message)));
      continue;
    }
    fields[field] ??= problem.code === 'ERR_INPUT_MISSING' ? missingText(field, context) : invalidText(field, problem);
  }
  const taken = conflicts[0];
  if (taken && !fields.name) fields.name = `An account named “${taken.name}” already exists. Use “${taken.suggestion}” or choose another name.`;
  return { fields, other };
}

/** The fields in the order the forms show them: Save moves the focus to the first one with a problem. */
export const FIELD_ORDER: readonly FormField[] = ['preset', 'baseUrl', 'issuer', 'name', 'accessToken', 'clientId', 'clientSecret', 'username', 'password', 'scopes', 'apiUrl'];
