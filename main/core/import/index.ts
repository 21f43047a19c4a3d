/**
 * Credentials import: pasted or dropped TOML text, a TOML file, or a Zitadel
 * key JSON file -> validated AccountSettings. All or nothing: one problem
 * anywhere and nothing is returned (previewImport lists every problem).
 *
 * File shapes:
 * - one account: its keys at the top level;
 * - several: `[accounts.NAME]` tables (NAME is the name unless `name` is given)
 *   or `[[accounts]]` entries. In such a file, keys at the top level (outside
 *   `accounts`) are SHARED DEFAULTS for every account, e.g. `preset = "netrex"`
 *   and `base_url = "..."` once for several Netrex accounts; each account's own
 *   keys win. `name` cannot be shared, since names are unique.
 *
 * What people paste is read leniently (readDocument): curly quotes and
 * Unicode spaces from mail programs are straightened (one character for one,
 * so positions still match), "Label: value" lines and a JSON object of
 * settings are read as settings, and a text without `preset` whose token
 * address is a seed provider's gets that preset; `notes` say what was done.
 *
 * Presets fill only what the file leaves out. `key_file` is read relative to
 * `baseDir` (the folder of the TOML file; the current folder for pasted text).
 * Nothing here logs, and no message contains a secret value.
 */
import { resolve } from 'node:path';
import type { AccountSettings } from '../../../shared/account.js';
import { applyPreset, endpointBase, normaliseBaseUrl, presetParamProblem, PRESETS, recognisePreset } from '../../../shared/presets.js';
import type { PresetId } from '../../../shared/presets.js';
import { InputError } from '../errors.js';
import type { ErrorCode, InputLocation } from '../errors.js';
import type { CanonicalKey } from './aliases.js';
import { loadClientCertificate } from './client-certificate-import.js';
import { KeyFileRefusal, readKeyFileText } from './key-file.js';
import { parseKeyJson } from './key-json.js';
import { locatedError, missingFieldMessage } from './missing-fields.js';
import { fieldName, locate, normaliseTable } from './normalise.js';
import type { DocContext, NormalisedTable } from './normalise.js';
import { cleanText } from './parse-toml.js';
import { isTable, readDocument } from './read-document.js';
import { splitScopes } from './strings.js';
import { accountProblems, inferGrant, validateAccount } from './validate.js';

export { validateAccount, accountProblems, inferGrant };
export { cleanText } from './parse-toml.js';
export { isLoopbackHost, checkUrl } from './url-rules.js';

export interface ImportSource {
  text: string;
  fileName?: string;
  /** folder for resolving key_file */
  baseDir?: string;
  /** reads key_file and PEM files of a client certificate; default: a regular file of at most 64 KiB, opened without blocking (key-file.ts) */
  readFile?: (path: string) => Promise<string>;
  /** reads a client_pkcs12 file; default: the same checks as readFile, the bytes as they are */
  readBytes?: (path: string) => Promise<Uint8Array>;
  /** Epoch ms an expired client certificate is measured against; default: the clock. */
  now?: number;
  /**
   * `names[i]`, when a non-empty text, is the name of the i-th account of the
   * text (in the order the text gives them), instead of what the text says or
   * what TokenDesk would derive: the preview's name field.
   */
  names?: readonly (string | undefined)[];
}

/** What previewImport found: the sound accounts, every problem, and what was changed in the text to read it. */
export interface ImportPreview {
  accounts: AccountSettings[];
  problems: InputErrorInfo[];
  /**
   * What TokenDesk changed or guessed to read the text, in plain words
   * ("Curly quotes from the mail program were straightened.", "The provider
   * was recognised from the token address: myfiber."). Never a value.
   */
  notes: string[];
  /** The position in the text (0-based, as `names` counts) of each of `accounts`. */
  textIndexes: number[];
}

/** An import problem as the renderer's preview shows it. */
export interface InputErrorInfo {
  code: ErrorCode;
  message: string;
  location?: InputLocation;
}

/**
 * Parses a pasted/dropped TOML text, TOML file or key JSON (detected by
 * content: `{` first after BOM/whitespace -> key JSON, one jwt_bearer account
 * with the myfiber preset, else TOML). Returns every account, validated, or
 * throws the FIRST InputError (with location): all or nothing.
 */
export async function importCredentials(source: ImportSource): Promise<AccountSettings[]> {
  const { accounts, problems } = await runImport(source);
  if (problems[0]) throw problems[0];
  return accounts;
}

/**
 * Same as importCredentials, but collects every problem instead of throwing
 * (live preview). `accounts` holds the accounts that are sound on their own.
 */
export async function previewImport(source: ImportSource): Promise<ImportPreview> {
  const { accounts, problems, notes, textIndexes } = await runImport(source);
  return {
    accounts,
    problems: problems.map((p) => ({ code: p.code, message: p.message, ...(p.location && { location: p.location }) })),
    notes,
    textIndexes,
  };
}

interface Draft {
  table: NormalisedTable;
  /** Document path of the account table (`[]` for a single-account file). */
  path: string[];
  /** `[accounts.NAME]` NAME. */
  nameHint?: string;
}

interface ImportRun {
  accounts: AccountSettings[];
  textIndexes: number[];
  problems: InputError[];
  notes: string[];
}

async function runImport(source: ImportSource): Promise<ImportRun> {
  const reading = readDocument(cleanText(source.text), source.fileName);
  if (reading.kind === 'problems') return { accounts: [], textIndexes: [], problems: reading.problems, notes: reading.notes };
  if (reading.kind === 'key-json') return { ...importKeyJson(reading.text, source.fileName, source.names?.[0]), notes: reading.notes };

  const { document, doc } = reading;
  const problems: InputError[] = [...reading.problems];
  const notes = [...reading.notes];
  const drafts = collectDrafts(document, doc, problems);

  const built: Built[] = [];
  for (const [index, draft] of drafts.entries()) {
    const result = await buildAccount(draft, doc, source, source.names?.[index]);
    problems.push(...result.problems);
    if (result.account) built.push({ account: result.account, draft, derivedName: result.derivedName, index, notes: result.notes });
  }
  checkUniqueNames(built, doc, problems);
  for (const entry of built) {
    // With several accounts, say which one a note is about.
    notes.push(...entry.notes.map((note) => (drafts.length > 1 ? `${entry.account.name}: ${note}` : note)));
  }
  // Accounts that are sound on their own; importCredentials still refuses them all when any problem exists.
  return { accounts: built.map((b) => b.account), textIndexes: built.map((b) => b.index), problems, notes };
}

interface Built {
  account: AccountSettings;
  draft: Draft;
  derivedName: boolean;
  /** Position of the account in the text. */
  index: number;
  notes: string[];
}

function collectDrafts(document: Record<string, unknown>, doc: DocContext, problems: InputError[]): Draft[] {
  if (Object.keys(document).length === 0) {
    problems.push(new InputError('ERR_INPUT_MISSING', 'there are no settings in this text (expected lines such as client_id = "…")', locate(doc, [])));
    return [];
  }
  const accounts = document['accounts'];
  if (accounts === undefined) return [{ table: normaliseTable(document, [], doc), path: [] }];

  const shared = normaliseTable(document, [], doc, ['accounts']);
  problems.push(...shared.problems);
  if (shared.origin.name) {
    problems.push(new InputError('ERR_INPUT_FIELD', 'name cannot be given for all accounts at once; give each account its own name', locate(doc, shared.origin.name)));
  }
  const entries: { path: string[]; value: unknown; nameHint?: string }[] = [];
  if (Array.isArray(accounts)) {
    accounts.forEach((value, index) => entries.push({ path: ['accounts', String(index)], value }));
  } else if (isTable(accounts) && Object.values(accounts).every(isTable)) {
    for (const [name, value] of Object.entries(accounts)) entries.push({ path: ['accounts', name], value, nameHint: name });
  } else {
    problems.push(
      new InputError('ERR_INPUT_FIELD', 'accounts must hold one table per account, such as [accounts.production] or [[accounts]]', locate(doc, ['accounts'])),
    );
    return [];
  }
  if (entries.length === 0) {
    problems.push(new InputError('ERR_INPUT_MISSING', 'accounts is empty: add at least one [accounts.NAME] table', locate(doc, ['accounts'])));
  }
  const drafts: Draft[] = [];
  for (const entry of entries) {
    if (!isTable(entry.value)) {
      problems.push(new InputError('ERR_INPUT_FIELD', 'each entry of accounts must be a table of settings', locate(doc, entry.path)));
      continue;
    }
    const own = normaliseTable(entry.value, entry.path, doc);
    drafts.push({ table: withDefaults(own, shared), path: entry.path, ...(entry.nameHint !== undefined && { nameHint: entry.nameHint }) });
  }
  return drafts;
}

/** Shared top-level defaults under one account's own keys. Shared problems are reported once, not here. */
function withDefaults(own: NormalisedTable, shared: NormalisedTable): NormalisedTable {
  const { name: _sharedName, ...sharedExplicit } = shared.explicit;
  const ownHasScopes = own.origin.scopes !== undefined;
  const merged: NormalisedTable = {
    explicit: { ...(ownHasScopes ? withoutScopes(sharedExplicit) : sharedExplicit), ...own.explicit },
    origin: { ...shared.origin, ...own.origin },
    problems: own.problems,
  };
  delete merged.origin.name;
  if (own.origin.name) merged.origin.name = own.origin.name;
  const scopesText = ownHasScopes ? own.scopesText : shared.scopesText;
  if (scopesText !== undefined) merged.scopesText = scopesText;
  const presetId = own.presetId ?? (own.origin.preset ? undefined : shared.presetId);
  if (presetId !== undefined) merged.presetId = presetId;
  const baseUrl = own.baseUrl ?? shared.baseUrl;
  if (baseUrl !== undefined) merged.baseUrl = baseUrl;
  if (own.explicit.key === undefined && own.origin.key === undefined) {
    const keyFile = own.keyFile ?? shared.keyFile;
    if (keyFile !== undefined) merged.keyFile = keyFile;
  } else if (own.keyFile !== undefined) merged.keyFile = own.keyFile;
  // One company certificate for every account of a file, unless an account names its own (whole: never half of each).
  const clientCertificate = own.clientCertificate ?? shared.clientCertificate;
  if (clientCertificate !== undefined) merged.clientCertificate = clientCertificate;
  return merged;
}

function withoutScopes(settings: Partial<AccountSettings>): Partial<AccountSettings> {
  const { scopes: _scopes, ...rest } = settings;
  return rest;
}

const URL_KEYS_FROM_PRESET: readonly CanonicalKey[] = ['token_url', 'authorize_url', 'revoke_url', 'issuer'];

async function buildAccount(
  draft: Draft,
  doc: DocContext,
  source: ImportSource,
  nameOverride: string | undefined,
): Promise<{ account?: AccountSettings; problems: InputError[]; derivedName: boolean; notes: string[] }> {
  const { path } = draft;
  const table: NormalisedTable = { ...draft.table };
  const problems = [...table.problems];
  const notes: string[] = [];
  const explicit = { ...table.explicit };
  const at = (key: CanonicalKey): InputLocation => {
    const origin = table.origin[key];
    if (origin) return locate(doc, origin);
    // Not in the file: point at the account's table header; a single account has none, and
    // a line 1, column 1 would point at something that is not there.
    const header = doc.locator.exact(path);
    return { ...(doc.file !== undefined && { file: doc.file }), ...header, field: fieldName([...path, key]) };
  };

  if (table.presetId === undefined && !table.origin.preset) {
    const recognised = recognise(table);
    if (recognised) {
      table.presetId = recognised.presetId;
      if (recognised.baseUrl !== undefined) table.baseUrl = recognised.baseUrl;
      notes.push(`The provider was recognised from the ${recognised.from}: ${PRESETS[recognised.presetId].label}.`);
    }
  }
  if (table.presetId !== undefined && table.baseUrl !== undefined) {
    // A full endpoint address typed as the provider address would otherwise get the path twice (…/oauth2/token/oauth2/token).
    const base = endpointBase(table.presetId, table.baseUrl);
    if (base !== undefined) {
      table.baseUrl = base;
      notes.push(`The provider address was the full address of an endpoint; TokenDesk uses ${base} as the provider address.`);
    }
  }

  if (table.keyFile !== undefined) {
    if (table.origin.key) {
      problems.push(new InputError('ERR_INPUT_FIELD', 'give either key or key_file, not both', at('key_file')));
    } else {
      const loaded = await loadKeyFile(table.keyFile, source, at('key_file'));
      problems.push(...loaded.problems);
      if (loaded.key) explicit.key = loaded.key;
    }
  }

  if (table.clientCertificate !== undefined) {
    const loaded = await loadClientCertificate(table.clientCertificate, source, (setting) => at(setting), source.now ?? Date.now());
    problems.push(...loaded.problems);
    if (loaded.certificate) explicit.clientCertificate = loaded.certificate;
  }

  const grant = explicit.grant ?? inferGrant(explicit) ?? (table.presetId ? PRESETS[table.presetId].defaultGrant : 'client_credentials');
  let presetSettings: Partial<AccountSettings> = {};
  if (table.presetId) {
    const params = { grant, ...(table.baseUrl !== undefined && { base_url: table.baseUrl }) };
    const problem = presetParamProblem(table.presetId, params);
    if (problem) {
      const where = problem.param === 'grant' && table.origin.grant ? at('grant') : problem.param === 'base_url' && table.origin.base_url ? at('base_url') : at('preset');
      problems.push(new InputError(problem.param === 'base_url' && table.baseUrl === undefined ? 'ERR_INPUT_MISSING' : 'ERR_INPUT_FIELD', problem.message, where));
    } else presetSettings = applyPreset(table.presetId, params);
  } else if (table.baseUrl !== undefined) {
    problems.push(new InputError('ERR_INPUT_FIELD', 'base_url is used only with a preset (preset = "netrex"); otherwise give token_url and the other addresses', at('base_url')));
  }

  const settings: AccountSettings = {
    name: '',
    grant,
    // RFC 6749 2.3.1: servers must support Basic. A client_credentials client is
    // never public, so it defaults to needing a secret too. A client certificate
    // without a secret is RFC 8705's client authentication.
    clientAuth:
      explicit.clientSecret !== undefined ? 'basic' : table.clientCertificate !== undefined ? 'tls_client_auth' : grant === 'client_credentials' ? 'basic' : 'none',
    scopes: [],
    scopeSeparator: ' ',
    extra: {},
    ...presetSettings,
    ...explicit,
  };
  settings.grant = grant;
  // Nobody chose how the secret travels: `basic` is a guess the token endpoint may correct (shared/account.ts clientAuthAuto).
  if (explicit.clientAuth === undefined && presetSettings.clientAuth === undefined && settings.clientAuth === 'basic') settings.clientAuthAuto = true;
  if (table.scopesText !== undefined) settings.scopes = splitScopes(table.scopesText, settings.scopeSeparator);

  let derivedName = false;
  const override = nameOverride?.trim();
  if (override) settings.name = override;
  else if (explicit.name === undefined || explicit.name === '') {
    settings.name = draft.nameHint?.trim() || deriveName(settings, table);
    derivedName = draft.nameHint === undefined;
  }

  // A field the file already got wrong is not reported a second time as missing.
  const refused = (key: CanonicalKey): boolean => {
    const origin = table.origin[key];
    if (!origin) return false;
    const name = fieldName(origin);
    return problems.some((p) => p.location?.field === name || p.location?.field?.startsWith(`${name}.`));
  };
  for (const problem of accountProblems(settings)) {
    if (refused(problem.key)) continue;
    // A certificate the file gives but that failed its checks is already reported, at the setting that failed.
    if (problem.key === 'client_certificate' && table.clientCertificate !== undefined) continue;
    let where = at(problem.key);
    const filledByPreset = !table.origin[problem.key] && table.presetId && URL_KEYS_FROM_PRESET.includes(problem.key);
    if (filledByPreset && (table.origin.base_url || table.origin.preset)) where = at(table.origin.base_url ? 'base_url' : 'preset');
    const missing = problem.code === 'ERR_INPUT_MISSING' && !table.origin[problem.key];
    problems.push(missing ? locatedError(problem.code, missingFieldMessage(problem.key, settings.grant, problem.message), where) : new InputError(problem.code, problem.message, where));
  }
  return problems.length === 0 ? { account: settings, problems, derivedName, notes } : { problems, derivedName, notes };
}

/**
 * The seed provider a text without `preset` belongs to, from the host of its
 * token address (or, without one, of its other addresses), provided no
 * address points to another provider and the provider offers the grant.
 */
function recognise(table: NormalisedTable): { presetId: PresetId; baseUrl?: string; from: string } | undefined {
  const { explicit } = table;
  const base = table.baseUrl !== undefined ? normaliseBaseUrl(table.baseUrl) : undefined;
  const addresses = [explicit.tokenUrl, base, explicit.issuer, explicit.authorizeUrl, explicit.revokeUrl].filter((url): url is string => url !== undefined);
  const found = addresses.map((url) => recognisePreset(url));
  const first = explicit.tokenUrl !== undefined ? found[0] : found.find((f) => f !== undefined);
  if (!first || found.some((f) => f !== undefined && f.presetId !== first.presetId)) return undefined;
  const preset = PRESETS[first.presetId];
  const grant = explicit.grant ?? inferGrant(explicit) ?? preset.defaultGrant;
  // Only a provider without a documented host takes its base from the address (Netrex); the others keep theirs.
  const baseUrl = table.baseUrl !== undefined ? base : preset.defaultBaseUrl ? undefined : first.baseUrl;
  if (presetParamProblem(first.presetId, { grant, ...(baseUrl !== undefined && { base_url: baseUrl }) })) return undefined;
  return { presetId: first.presetId, ...(baseUrl !== undefined && { baseUrl }), from: explicit.tokenUrl !== undefined ? 'token address' : 'address' };
}

async function loadKeyFile(keyFile: string, source: ImportSource, where: InputLocation): Promise<ReturnType<typeof parseKeyJson>> {
  const fullPath = resolve(source.baseDir ?? process.cwd(), keyFile);
  let text: string;
  try {
    text = await (source.readFile ?? readKeyFileText)(fullPath);
  } catch (error) {
    const why = error instanceof KeyFileRefusal ? error.reason : describeReadError(error);
    return { problems: [new InputError('ERR_INPUT_FIELD', `cannot read key_file "${keyFile}": ${why} (looked at ${fullPath})`, where)] };
  }
  return parseKeyJson(text, keyFile);
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' ? 'permission denied' : 'it cannot be read';
}

/** "myfiber", "netrex cloud.camstreamer.com", "api.myfox.me": what the user would call it. */
function deriveName(settings: AccountSettings, table: NormalisedTable): string {
  if (table.presetId === 'netrex' && table.baseUrl) {
    const base = normaliseBaseUrl(table.baseUrl);
    if (base) return `netrex ${new URL(base).host}`;
  }
  if (table.presetId) return table.presetId;
  for (const url of [settings.tokenUrl, settings.issuer, settings.authorizeUrl]) {
    if (!url) continue;
    try {
      return new URL(url).host;
    } catch {
      // invalid URLs are reported by validation
    }
  }
  return settings.grant === 'static' ? 'personal access token' : 'account';
}

function checkUniqueNames(built: Built[], doc: DocContext, problems: InputError[]): void {
  const taken = new Set<string>();
  // Names the user wrote come first; derived ones step aside with a number.
  for (const entry of built.filter((b) => !b.derivedName)) {
    const name = entry.account.name;
    if (taken.has(name)) {
      const origin = entry.draft.table.origin.name ?? entry.draft.path;
      problems.push(new InputError('ERR_INPUT_FIELD', `two accounts are named "${name}"; every account needs its own name`, locate(doc, origin)));
    }
    taken.add(name);
  }
  for (const entry of built.filter((b) => b.derivedName)) {
    const base = entry.account.name;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base} ${n}`;
    entry.account.name = name;
    taken.add(name);
  }
}

function importKeyJson(text: string, fileName: string | undefined, nameOverride: string | undefined): { accounts: AccountSettings[]; textIndexes: number[]; problems: InputError[] } {
  const { key, problems } = parseKeyJson(text, fileName);
  if (!key) return { accounts: [], textIndexes: [], problems };
  // The key JSON shape is Zitadel's, which is what myfiber documents; its
  // issuer is the jwt_bearer audience, so the myfiber preset is what makes the key usable.
  const account: AccountSettings = {
    name: nameOverride?.trim() || `myfiber key ${key.keyId}`,
    grant: 'jwt_bearer',
    clientAuth: 'none',
    scopes: [],
    scopeSeparator: ' ',
    extra: {},
    ...applyPreset('myfiber', { grant: 'jwt_bearer' }),
    key,
  };
  // What is missing is not in the file: name the field, not a line.
  const where = fileName !== undefined ? { file: fileName } : {};
  return {
    accounts: [account],
    textIndexes: [0],
    problems: accountProblems(account).map((p) =>
      p.code === 'ERR_INPUT_MISSING' ? locatedError(p.code, missingFieldMessage(p.key, account.grant, p.message), { ...where, field: p.key }) : new InputError(p.code, p.message, { ...where, field: p.key }),
    ),
  };
}
