/**
 * What the user has put into the Add account screen, kept while they look
 * elsewhere (issue 13 item 2): a text from a single-use link cannot be
 * fetched again. Renderer memory only, never localStorage, sessionStorage or
 * disk: it holds secrets. Cleared after a successful save and on lock.
 */
import type { IpcResponse } from '../../shared/ipc.js';
import type { PresetId } from '../../shared/presets.js';
import type { GrantType } from '../../shared/types.js';

export type AddMethod = 'paste' | 'file' | 'preset' | 'discover';

/** The fields of the provider and discovery forms (components/CredentialFields.svelte). */
export interface CredentialValues {
  name: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  accessToken: string;
  scopes: string;
  apiUrl: string;
}

export function emptyCredentials(): CredentialValues {
  return { name: '', clientId: '', clientSecret: '', username: '', password: '', accessToken: '', scopes: '', apiUrl: '' };
}

export interface PresetDraft {
  presetId: PresetId | '';
  grant: GrantType;
  baseUrl: string;
  values: CredentialValues;
}

export interface DiscoverDraft {
  issuer: string;
  found: IpcResponse<'accounts:discover'> | undefined;
  grant: GrantType;
  values: CredentialValues;
}

export class AddDraft {
  method = $state<AddMethod>('paste');
  pasted = $state('');
  file = $state.raw<{ text: string; fileName: string } | undefined>();
  /** The preview's name fields, by account position, for the pasted text and for the file. */
  pasteNames = $state<string[]>([]);
  fileNames = $state<string[]>([]);
  preset = $state<PresetDraft>(emptyPreset());
  discover = $state<DiscoverDraft>(emptyDiscover());

  /** Something the user typed, pasted or opened that is not saved yet. */
  get hasContent(): boolean {
    return this.pasted.trim() !== '' || this.file !== undefined || presetTyped(this.preset) || discoverTyped(this.discover);
  }

  /** Forgets everything (after a save, on lock). */
  clear(): void {
    this.method = 'paste';
    this.pasted = '';
    this.file = undefined;
    this.pasteNames = [];
    this.fileNames = [];
    this.preset = emptyPreset();
    this.discover = emptyDiscover();
  }
}

function emptyPreset(): PresetDraft {
  return { presetId: '', grant: 'client_credentials', baseUrl: '', values: emptyCredentials() };
}

function emptyDiscover(): DiscoverDraft {
  return { issuer: '', found: undefined, grant: 'client_credentials', values: emptyCredentials() };
}

/** Typed values; the account name alone is not (choosing a provider fills it in). */
function valuesTyped(values: CredentialValues): boolean {
  return Object.entries(values).some(([key, value]) => key !== 'name' && value.trim() !== '');
}

function presetTyped(draft: PresetDraft): boolean {
  return draft.baseUrl.trim() !== '' || valuesTyped(draft.values);
}

function discoverTyped(draft: DiscoverDraft): boolean {
  return draft.issuer.trim() !== '' || valuesTyped(draft.values);
}

/** The one draft of this window. */
export const addDraft = new AddDraft();
