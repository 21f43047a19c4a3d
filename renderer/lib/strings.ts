/**
 * Every word the user sees, in one place, ready for translation. Functions
 * take the values they print; nothing here formats a secret.
 */
import { certificateExpiryWarning } from '../../shared/certificate-expiry.js';
import { MIN_PASSPHRASE_LENGTH } from '../../shared/passphrase.js';

/** The client authentication methods (shared/types.ts CLIENT_AUTH_METHODS) as staff read them. */
const CLIENT_AUTH_WORDS: Record<string, string> = {
  basic: 'Client ID and secret in the Authorization header',
  basic_raw: 'Client ID and secret in the Authorization header, not encoded',
  body: 'Client ID and secret in the request',
  query: 'Client ID and secret in the address',
  none: 'Client ID only',
  private_key_jwt: 'A signed assertion from the key',
  tls_client_auth: 'Client certificate, no secret',
  self_signed_tls_client_auth: 'Self-signed client certificate, no secret',
};

/** History request kinds that are no grant; grants use S.grant. */
const HISTORY_WORDS: Record<string, string> = {
  refresh_token: 'New token with the refresh token',
  revoke: 'Revocation of the token',
};

export const S = {
  appName: 'TokenDesk',
  skipToContent: 'Skip to content',
  nav: { label: 'Main', accounts: 'Accounts', add: 'Add account', settings: 'Settings', back: 'Back to accounts', lock: 'Lock' },
  loading: 'Loading…',
  working: 'Working…',
  close: 'Close',
  cancel: 'Cancel',
  save: 'Save',

  firstRun: {
    title: 'Welcome to TokenDesk',
    intro: 'TokenDesk keeps the API credentials your vendors send you, encrypted on this computer, and gives you a valid access token with one click.',
    keychainAvailable: 'Your system keychain is available. TokenDesk will keep its encryption key there, so you will not need to type anything to open it.',
    keychainMissing: 'This computer has no system keychain TokenDesk can use. You need a passphrase to protect your credentials; you will type it each time TokenDesk starts.',
    passphraseLabel: (required: boolean) => (required ? 'Passphrase' : 'Recovery passphrase (recommended)'),
    passphraseWhy:
      'Why it matters: if this computer’s keychain is lost (a new computer, a reset user profile), the recovery passphrase is the only way to open your credentials again. The command line also uses it. Write it down somewhere safe: nobody, not even TokenDesk, can recover it for you.',
    confirmLabel: 'Type the passphrase again',
    tooShort: `Use at least ${MIN_PASSPHRASE_LENGTH} characters.`,
    mismatch: 'The two passphrases are not the same. Type them again.',
    required: 'A passphrase is needed because this computer has no keychain.',
    create: 'Create my vault',
    creating: 'Creating your vault…',
  },
  unlock: {
    title: 'Open your vault',
    intro: 'Type your passphrase to open your saved credentials.',
    lockedKeychain: 'TokenDesk is locked: programs cannot get tokens from it until you open it again. Press Open to use your system keychain, or type your recovery passphrase.',
    passphraseOptional: 'Recovery passphrase (optional)',
    passphraseLabel: 'Passphrase',
    submit: 'Open',
    opening: 'Opening…',
  },
  list: {
    title: 'Accounts',
    empty: 'No accounts yet.',
    emptyHint: 'Add the credentials your vendor sent you, and TokenDesk will give you a valid token with one click.',
    addFirst: 'Add your first account',
    columns: { name: 'Name', provider: 'Provider', status: 'Status', expires: 'Expires in', actions: 'Actions' },
    copy: 'Copy token',
    copyFor: (name: string) => `Copy token for ${name}`,
    copying: 'Getting token…',
    open: (name: string) => `Details for ${name}`,
    custom: 'Custom',
  },
  status: {
    valid: 'Ready',
    expiring: 'Expiring soon',
    expired: 'Expired',
    none: 'No token yet',
    unknown_expiry: 'Ready (no expiry given)',
  } as Record<string, string>,
  grant: {
    client_credentials: 'Client ID and secret',
    password: 'User name and password',
    authorization_code: 'Sign-in in the browser',
    jwt_bearer: 'Key file',
    device_code: 'Code on another device',
    static: 'Personal access token',
  } as Record<string, string>,
  countdown: {
    expired: 'expired',
    unknown: '—',
    hours: (h: number, m: number) => `${h} h ${String(m).padStart(2, '0')} min`,
    minutes: (m: number, s: number) => `${m} min ${String(s).padStart(2, '0')} s`,
    seconds: (s: number) => `${s} s`,
  },
  copied: (name: string, clearSeconds: number | undefined) =>
    clearSeconds
      ? `Your token for ${name} was copied. It will be cleared from the clipboard in ${clearSeconds} seconds.`
      : `Your token for ${name} was copied.`,
  headerCopied: (name: string, clearSeconds: number | undefined) =>
    clearSeconds
      ? `The Authorization header for ${name} was copied. It will be cleared from the clipboard in ${clearSeconds} seconds.`
      : `The Authorization header for ${name} was copied.`,
  clipboardCleared: 'The token was cleared from the clipboard.',

  add: {
    title: 'Add an account',
    intro: 'Choose how you received the credentials.',
    methods: 'How do you want to add the account?',
    paste: 'Paste text',
    file: 'Open a file',
    preset: 'Choose a provider',
    discover: 'Look up a server',
    pasteLabel: 'Credentials text (TOML)',
    pasteHelp: 'Paste the whole text your vendor sent you, for example from the single-use link. The preview shows what will be saved, with secrets masked.',
    dropHere: 'Drop a .toml credentials file or a key .json file here, or',
    chooseFile: 'choose a file…',
    fileLabel: 'Credentials file',
    fileLoaded: (name: string) => `File loaded: ${name}`,
    preview: 'Preview',
    previewEmpty: 'The preview appears here as soon as you paste or open credentials.',
    previewChecking: 'Checking…',
    problems: 'Problems to fix before saving',
    problemAt: (line: number | undefined, column: number | undefined) =>
      line !== undefined ? (column !== undefined ? `Line ${line}, column ${column}` : `Line ${line}`) : '',
    save: (n: number) => (n === 1 ? 'Save this account' : `Save these ${n} accounts`),
    saving: 'Saving…',
    saved: (names: string[]) => (names.length === 1 ? `Account “${names[0]}” was saved.` : `${names.length} accounts were saved.`),
    stored: 'stored, hidden',
    notSet: 'not set',
    presetLabel: 'Provider',
    presetPick: 'Choose a provider…',
    grantLabel: 'How you sign in',
    nameLabel: 'Account name',
    nameHelp: 'Any name that helps you recognise it, for example “myfiber production”.',
    baseUrlLabel: 'Provider address',
    baseUrlHelp: (examples: string) => `For example ${examples}.`,
    baseUrlDefault: (url: string) => `Leave empty to use ${url}.`,
    advanced: 'Advanced',
    clientIdLabel: 'Client ID',
    clientSecretLabel: 'Client secret',
    usernameLabel: 'User name',
    passwordLabel: 'Password',
    accessTokenLabel: 'Personal access token',
    scopesLabel: 'Scopes (separated by spaces)',
    scopesHelp: (example: string) => `For example: ${example}`,
    apiUrlLabel: 'Test address (optional)',
    apiUrlHelp: 'An API address TokenDesk can call to check that the token works.',
    tokenUrlLabel: 'Token URL',
    authorizeUrlLabel: 'Authorization URL',
    issuerLabel: 'Server address (issuer)',
    issuerHelp: 'The address of the sign-in server, for example https://login.example.com. TokenDesk asks it for its endpoints.',
    lookUp: 'Look up',
    lookingUp: 'Looking up…',
    found: 'Found these endpoints:',
  },

  detail: {
    settings: 'Settings',
    token: 'Token',
    noToken: 'No token yet. Press Copy token or Refresh to get one.',
    copyToken: 'Copy token',
    copyHeader: 'Copy header',
    reveal: 'Reveal',
    hide: 'Hide',
    refresh: 'Refresh',
    revoke: 'Revoke',
    testApi: 'Test API call',
    edit: 'Edit',
    rename: 'Rename',
    remove: 'Remove',
    revealedLabel: 'Access token (visible on screen: hide it when you are done)',
    expires: 'Expires in',
    expiresAt: 'Expires at',
    obtained: 'Obtained at',
    scopes: 'Scopes',
    audience: 'Audience',
    none: 'none',
    header: 'Header',
    claims: 'Claims',
    opaque: 'This token is not a JWT, so there is nothing to decode. It still works as usual.',
    refreshToken: 'Refresh token',
    yes: 'stored',
    no: 'none',
    history: 'Request history',
    historyEmpty: 'No requests yet.',
    historyColumns: { at: 'When', request: 'Request', outcome: 'Result', duration: 'Duration' },
    handOut: (program: string, pid: number) => `Given to ${program} (pid ${pid}, reported by the program)`,
    handOutCount: (count: number) => `×${count}`,
    agentApproval: 'Ask before giving this account’s token to a program (command line, scripts)',
    agentApprovalHelp: 'When this is off, any program you run that can read TokenDesk’s data folder gets this account’s token from the open app without a question. A program that asks to remove or revoke it, or to import accounts, is always asked about.',
    agentApprovalOn: 'TokenDesk will ask before a program gets this account’s token.',
    agentApprovalOff: 'Programs now get this account’s token without a question while TokenDesk is open.',
    ok: 'OK',
    failed: 'Failed',
    budget: (used: number, max: number, hours: number) => `${used} of ${max} token requests used in the last ${hours === 1 ? "hour" : `${hours} hours`}.`,
    budgetWarning: 'Careful: this provider may block accounts that request too many tokens. Reuse the current token where you can.',
    testNoUrl: 'This account has no test address. Add one with Edit to try the token.',
    testResult: (status: number, statusText: string, ms: number) => `The API answered ${status} ${statusText} in ${ms} ms.`,
    testOk: 'The token works.',
    testRejected: 'The API did not accept the token. Try Refresh, then test again; if it still fails, check the scopes with your vendor.',
    excerpt: 'Start of the response',
    refreshed: 'A new token was obtained.',
    revokeConfirm: (name: string) => `Revoke the token of “${name}”? Scripts using it will stop working until a new token is obtained.`,
    revoked: (atServer: boolean) => (atServer ? 'The token was revoked at the server and forgotten here.' : 'The token was forgotten here. (This account has no revocation address, so the server still accepts it until it expires.)'),
    removeConfirm: (name: string) => `Remove “${name}” and its saved credentials from TokenDesk? This cannot be undone: keep the original text from your vendor if you may need it again.`,
    removed: (name: string) => `Account “${name}” was removed.`,
    renameLabel: 'New name',
    renamed: (name: string) => `Account renamed to “${name}”.`,
    editTitle: 'Edit account',
    secretKeep: 'Leave empty to keep the stored one.',
    resourceHelp: 'The addresses of the APIs the token is for (RFC 8707), separated by spaces or one per line. Sent with every sign-in, token and refresh request.',
    audienceHelp: 'The API identifier some providers ask for (Auth0: the API’s identifier). Sent as written.',
    updated: 'Changes saved.',
    fields: {
      provider: 'Provider',
      grant: 'Sign-in method',
      tokenUrl: 'Token URL',
      authorizeUrl: 'Authorization URL',
      revokeUrl: 'Revocation URL',
      issuer: 'Issuer',
      clientId: 'Client ID',
      clientSecret: 'Client secret',
      clientAuth: 'Client authentication',
      /** How the client proves itself, in words; the protocol value follows in brackets for the vendor's documentation. */
      clientAuthMethod: (method: string) => `${CLIENT_AUTH_WORDS[method] ?? method} (${method})`,
      username: 'User name',
      password: 'Password',
      accessToken: 'Personal access token',
      key: 'Key',
      scopes: 'Scopes',
      resource: 'Resources (APIs)',
      audience: 'Audience',
      redirectUri: 'Redirect address',
      apiUrl: 'Test address',
      notes: 'Notes',
    },
  },

  certificate: {
    label: 'Client certificate',
    warningsLabel: 'Certificate warnings',
    subject: 'Certificate for',
    issuer: 'Issued by',
    expires: 'Valid until',
    fingerprint: 'SHA-256 fingerprint',
    format: (format: 'pem' | 'pkcs12') => (format === 'pkcs12' ? 'PKCS#12 file, key stored, hidden' : 'PEM certificate, key stored, hidden'),
    /** The same words as the tray (shared/certificate-expiry.ts). */
    warning: (account: string, notAfter: number, now: number) => certificateExpiryWarning(account, notAfter, now),
  },

  auth: {
    title: 'Sign in with your browser',
    opened: (host: string) => `Your browser was opened at ${host}. Sign in there and approve access. This window continues by itself when you are done.`,
    waiting: 'Waiting for the browser…',
    openAgain: 'Open the browser again',
    pasteTitle: 'Did the browser end on a page that does not load?',
    pasteHelp: 'Copy the full address from the browser’s address bar and paste it here.',
    pasteLabel: 'Address you were redirected to',
    pasteSubmit: 'Continue',
    expiresIn: 'Time left to sign in',
    cancel: 'Cancel sign-in',
  },
  device: {
    title: 'Enter this code on another device',
    steps: 'Open the link below on any device (your phone works), sign in, and type this code when asked:',
    codeLabel: 'Your code',
    copyCode: 'Copy code',
    codeCopied: 'The code was copied.',
    link: 'Link',
    openLink: 'Open the link in the browser',
    expiresIn: 'Time left',
    cancel: 'Cancel',
  },
  agent: {
    title: 'A program asks for access',
    ask: (account: string, operation: 'token' | 'import' | 'remove' | 'revoke') =>
      operation === 'token'
        ? `A program asks for the token of “${account}”.`
        : operation === 'import'
          ? `A program asks to import “${account}”.`
          : operation === 'remove'
            ? `A program asks to remove “${account}”.`
            : `A program asks to revoke “${account}”.`,
    program: 'Program',
    processId: 'Process ID',
    startedBy: 'Started by',
    reported: 'The program reports these details itself: allow only if you just started it.',
    allowOnce: 'Allow once',
    allowSession: 'Allow until TokenDesk locks',
    deny: 'Deny',
    expiresIn: 'Denied by itself in',
    notServing: (reason: string) => `The command line cannot get tokens from this window. ${reason}`,
    dismiss: 'Dismiss',
  },
  vaultNotice: {
    title: 'About your vault',
    recovered: (savedAt: string) =>
      `The vault file was damaged, so TokenDesk opened the previous version, saved ${savedAt}. Changes made after that are lost: check your accounts, and add again anything that is missing.`,
    damagedCopy: (path: string) => `The damaged file is kept at ${path}.`,
    rollback: (savedAt: string) =>
      `The vault file was replaced by an older copy, saved ${savedAt}. Changes made after that may be lost. If you did not restore a copy yourself, check who else can use this computer.`,
    dismiss: 'I understand',
  },

  settings: {
    title: 'Settings',
    clipboardLabel: 'Clear copied tokens from the clipboard after',
    clipboardHelp: 'Only if the clipboard still holds the token: anything you copied since is left alone.',
    never: 'Never',
    seconds: (s: number) => (s < 60 ? `${s} seconds` : s === 60 ? '1 minute' : `${s / 60} minutes`),
    saved: 'Settings saved.',
    passphraseTitle: 'Recovery passphrase',
    passphraseHelp: 'Lets you open your credentials if this computer’s keychain is lost, and lets the command line open them. A new one replaces the old one everywhere: the old one then opens nothing, not even old copies of the vault.',
    currentPassphrase: 'Current passphrase',
    currentPassphraseHelp: 'To change the recovery passphrase, type the one you use now.',
    newPassphrase: 'New passphrase',
    setPassphrase: 'Set passphrase',
    passphraseSaved: 'Your new recovery passphrase is set. Keep it somewhere safe.',
    themeTitle: 'Appearance',
    theme: 'TokenDesk follows your system’s light or dark setting.',
  },

  /** The request kinds of the history (main/core/accounts: the grant, refresh_token, revoke), in words. */
  history: {
    request: (kind: string): string => HISTORY_WORDS[kind] ?? S.grant[kind] ?? kind,
  },
  /** The account list's search box (shown above SEARCH_FROM accounts). */
  search: {
    label: 'Search accounts',
    placeholder: 'Name, provider or sign-in method',
    help: 'Press Escape to clear.',
    noMatch: (query: string) => `No account matches “${query}”.`,
    shown: (shown: number, total: number) => `${shown} of ${total} accounts shown.`,
  },
  /** An error's one-click fix (IpcError.fix). */
  fix: {
    tokenUrl: (value: string) => `Use ${value} instead`,
    applying: 'Changing the address and trying again…',
  },
  backup: {
    title: 'Backup',
    help: 'A backup is one file with all your accounts and their secrets, encrypted with a passphrase you choose for it. Keep it somewhere other than this computer: credentials from a single-use link cannot be fetched again.',
    saveTitle: 'Save a backup…',
    saveHelp: 'Choose a passphrase for this backup (four or more words picked at random work well) and write it down: without it, nobody can open the backup.',
    passphrase: 'Backup passphrase',
    confirm: 'Type the backup passphrase again',
    save: 'Save a backup…',
    saving: 'Saving the backup…',
    saved: (count: number, path: string) => `Saved a backup of ${count === 1 ? '1 account' : `${count} accounts`} to ${path}.`,
    cancelled: 'No backup was saved.',
    restoreTitle: 'Restore from a backup…',
    restoreHelp: 'Choose a backup file and type its passphrase: TokenDesk shows what it holds before anything is restored.',
    file: 'Backup file',
    fileLoaded: (name: string) => `Loaded: ${name}`,
    noFile: 'Choose the backup file first.',
    noPassphrase: 'Type the backup’s passphrase.',
    show: 'Show what it holds',
    opening: 'Opening the backup…',
    holds: (count: number, savedAt: string) => `This backup was saved ${savedAt} and holds ${count === 1 ? '1 account' : `${count} accounts`}:`,
    lastUsed: (when: string) => `last used ${when}`,
    exists: 'already in your vault',
    replace: 'Replace accounts that have the same name',
    replaceHelp: 'Without this, accounts whose name is already in your vault are skipped and stay as they are.',
    restore: 'Restore',
    restoring: 'Restoring…',
    restored: (added: string[], replaced: string[], skipped: string[]) =>
      [
        added.length ? `Added ${added.length === 1 ? '1 account' : `${added.length} accounts`}: ${added.join(', ')}.` : '',
        replaced.length ? `Replaced: ${replaced.join(', ')}.` : '',
        skipped.length ? `Skipped, because your vault already has an account of that name: ${skipped.join(', ')}.` : '',
        !added.length && !replaced.length ? 'Nothing was restored.' : '',
      ]
        .filter(Boolean)
        .join(' '),
    next: {
      ERR_BACKUP_PASSPHRASE: 'Check Caps Lock and type the passphrase chosen when the backup was saved.',
      ERR_BACKUP_DAMAGED: 'Choose another copy of the backup.',
      ERR_BACKUP_VERSION: 'Update TokenDesk, then restore the backup again.',
    } as Record<string, string>,
  },
  autoLock: {
    label: 'Lock automatically',
    after: (minutes: number) => (minutes < 60 ? `After ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} without use` : `After ${minutes / 60} ${minutes === 60 ? 'hour' : 'hours'} without use`),
    never: 'Never (only with Lock)',
    help: 'Locking forgets every secret until you open TokenDesk again; programs get no tokens meanwhile. Using the command line does not count as use. TokenDesk also locks when the screen locks and when the computer sleeps, whatever you choose here.',
    reason: {
      idle: (minutes: number) => `TokenDesk locked itself after ${minutes < 60 ? `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}` : `${minutes / 60} ${minutes === 60 ? 'hour' : 'hours'}`} without use.`,
      'screen-locked': 'TokenDesk locked itself when the screen was locked.',
      suspend: 'TokenDesk locked itself when the computer went to sleep.',
    },
  },

  errors: {
    tryAgain: 'Try again.',
    refused: 'The server refused the request',
    refusedCredentials: 'The server refused the credentials',
    withReason: (what: string, error: string, description: string | undefined) => `${what}: ${error}${description ? ` — ${description}` : ''}.`,
    next: {
      invalid_client: 'Check the client ID and secret, or ask the vendor for new credentials.',
      invalid_grant: 'The sign-in details or the saved authorization are no longer accepted. Check them under Edit, or sign in again with Refresh.',
      invalid_scope: 'One of the scopes is not allowed for this account. Check the scopes with your vendor.',
      unauthorized_client: 'This account is not allowed to use this sign-in method. Ask the vendor which method to use.',
      access_denied: 'Access was not approved. Start again and choose Allow in the browser.',
      unsupported_grant_type: 'The server does not offer this sign-in method. Ask the vendor which one to use.',
      other: 'Check the account’s settings, or send this message to your vendor.',
    } as Record<string, string>,
    input: 'Fix the text and try again.',
    network: 'Check your internet connection and the server address, then try again.',
    tls: 'TokenDesk sent nothing over this connection. If you are not sure what to do, send this message to your IT department.',
    proxy: 'Check the proxy settings, or send this message to your IT department.',
    timeout: 'The server took too long to answer. Try again in a moment.',
    redirect: 'The address looks slightly wrong (often a missing “/” at the end). Compare it with the vendor’s documentation.',
    protocol: 'The server answered something that is not a token. Check the token URL in the account settings.',
    rateLimited: 'The server asks to slow down. Wait a few minutes before trying again.',
    vaultPassphrase: 'That passphrase is not right. Check Caps Lock and try again.',
    vaultLocked: 'Your vault is locked. Open it with your passphrase.',
    vault: 'Your saved credentials could not be opened. Restart TokenDesk; if it keeps happening, contact your IT department.',
    cancelled: 'Cancelled. Nothing was changed.',
    internal: 'Something went wrong inside TokenDesk. Try again; if it keeps happening, restart the app.',
    clipboard: 'Nothing was copied. Close any program that may be holding the clipboard and try again, or select the text and copy it yourself.',
    noApi: 'TokenDesk could not reach its main process. Restart the app.',
  },

  /** Long operations (helper C1): progress, Cancel, what came of them, the request budget. */
  progress: {
    label: {
      copy: 'Getting a token…',
      header: 'Getting a token…',
      reveal: 'Getting a token…',
      refresh: 'Getting a new token…',
      test: 'Calling the API…',
      revoke: 'Revoking the token…',
    } as Record<string, string>,
    /** "4 s", "1 min 05 s": how long it has been running. */
    elapsed: (seconds: number) => (seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`),
    cancel: 'Cancel',
    cancelling: 'Cancelling…',
    cancelFor: (name: string) => `Cancel what runs for ${name}`,
    cancelled: (name: string) => `Cancelled. Nothing was changed for “${name}”.`,
    failed: (name: string, what: string) => `“${name}”: ${what}`,
    failedSeeAbove: (name: string) => `That did not work for “${name}”. What happened and what to do is shown on the page.`,
    newToken: 'A new token was obtained.',
    sameToken: 'The provider gave back the token you already had. It is still valid.',
    staticToken: 'This account has a fixed token made on the vendor’s website: TokenDesk cannot get a new one. Make a new one there and paste it with Edit.',
    /** The Refresh question for an account with a request budget and a token that is still valid. */
    budgetQuestion: (validFor: string, provider: string, max: number, window: string, left: number) =>
      `This token is valid for ${validFor}. ${provider} allows ${max} token${max === 1 ? '' : 's'} ${window}; ${left} ${left === 1 ? 'is' : 'are'} left. Get a new one anyway?`,
    validFor: (minutes: number | undefined) =>
      minutes === undefined ? 'an unknown time (it has no expiry date)' : minutes < 1 ? 'less than a minute more' : `${minutes} more minute${minutes === 1 ? '' : 's'}`,
    theProvider: 'The provider',
    getNew: 'Get a new token',
    /** "a day", "an hour", "every 6 hours": how often the provider counts. */
    perWindow: (seconds: number) =>
      seconds === 86_400 ? 'a day' : seconds === 3600 ? 'an hour' : seconds % 86_400 === 0 ? `every ${seconds / 86_400} days` : seconds % 3600 === 0 ? `every ${seconds / 3600} hours` : `every ${seconds} seconds`,
    /** "left today", "left this hour": the top line of the detail page. */
    left: (left: number, max: number, seconds: number) =>
      `${left} of ${max} token requests left ${seconds === 86_400 ? 'today' : seconds === 3600 ? 'this hour' : seconds % 3600 === 0 ? `in the last ${seconds / 3600} hours` : `in the last ${seconds} seconds`}`,
    nextAt: (when: string) => `The next one is possible on ${when}.`,
    /** A history row of a request the user cancelled: it reached the server (and counts), but nothing went wrong. */
    historyCancelled: 'Cancelled by you',
  },
  /** The passphrase fields (renderer/components/PassphraseField.svelte). */
  passphrase: {
    show: 'Show',
    hide: 'Hide',
    level: (score: number, acceptable: boolean) =>
      acceptable ? 'Strength: strong enough' : `Strength: ${['very weak', 'very weak', 'weak', 'fair', 'fair'][score] ?? 'weak'}`,
  },

  /** The Add account screen's draft, name field and form problems (issue 13 items 2, 3, 6). */
  draft: {
    leaveQuestion: 'Leave without saving? The text from a single-use link cannot be fetched again.',
    leave: 'Leave',
    stay: 'Stay',
    notesTitle: 'What TokenDesk noticed in the text',
    taken: (name: string) => `An account named “${name}” already exists.`,
    useSuggestion: (name: string) => `Use “${name}”`,
  },
  /** What to do after a refusal, per sign-in method: the same server word means different things (issue 13 item 9). */
  advice: {
    invalidGrant: {
      password: 'The server did not accept the user name and password. Check them (the ones you use on the vendor’s website), then try again.',
      client_credentials: 'The server did not accept the client ID and secret. Check them, or ask the vendor for new credentials.',
      jwt_bearer:
        'The server did not accept the key file. It may have been revoked or have expired, or be meant for another environment (test or production): ask the vendor for a new key file. Check also that this computer’s clock is right, because the signed request is valid only for a few minutes.',
      authorization_code: 'The sign-in could not be completed. Press Refresh to sign in again in the browser.',
      device_code: 'The sign-in could not be completed. Press Refresh to sign in again.',
      refresh_token: 'The saved sign-in is no longer accepted. Press Refresh to sign in again.',
    } as Record<string, string>,
    invalidClient: 'Check the client ID and secret, and under Edit how they are sent (Client authentication), or ask the vendor for new credentials.',
    invalidClientKey: 'The server did not accept the key file as this client’s proof. Check that the key file belongs to this client, or ask the vendor for a new one.',
    /** The one-click fix of an error (ErrorBox shows it as a button). */
    useInstead: (value: string) => `Use ${value} instead`,
    redirectFix: (value: string) => `The address needs a “/” at the end. Use ${value} instead.`,
  },

  /** Edit form: provider, client authentication and request budget (issue 13 items 1 and 7). */
  editProvider: {
    provider: 'Provider',
    custom: 'Custom (no provider)',
    providerHelp: 'Choosing a provider fills in its addresses, how the secret is sent and its request limit. The client ID, secrets, scopes and notes stay.',
    clientAuth: 'Client authentication',
    clientAuthAuto: 'Automatic: try each way once, keep the one that works',
    /** The detail page while nobody chose: what is tried first, and that the others follow. */
    clientAuthAutoShown: (first: string) => `Automatic: ${first} first, then the other ways once`,
    budget: 'Request limit',
    budgetNone: 'No limit',
    budgetLimit: 'Warn before too many token requests',
    budgetCount: 'Requests',
    budgetWindow: 'per',
    windows: { 3600: 'hour', 86400: 'day', 604800: 'week', 2592000: '30 days' } as Record<number, string>,
    budgetHelp: 'TokenDesk warns before a request would go over this limit. Some vendors block accounts that ask for too many tokens.',
    /** "20 requests a day" */
    budgetWords: (maxRequests: number, windowSeconds: number) => `${maxRequests} ${maxRequests === 1 ? 'request' : 'requests'} ${windowWords(windowSeconds)}`,
  },
};

/** "a day", "an hour", "every 2 hours": a request window in words. */
function windowWords(seconds: number): string {
  const units: [number, string, string][] = [
    [604800, 'a week', 'weeks'],
    [86400, 'a day', 'days'],
    [3600, 'an hour', 'hours'],
    [60, 'a minute', 'minutes'],
  ];
  for (const [size, one, many] of units) {
    if (seconds === size) return one;
    if (seconds % size === 0) return `every ${seconds / size} ${many}`;
  }
  return `every ${seconds} seconds`;
}
