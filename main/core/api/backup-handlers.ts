/**
 * `backup:*`: save an encrypted backup where the user chooses (the host's
 * save dialog, `CorePorts.chooseSavePath`), list one, restore one.
 */
import { checkBackupPassphrase, defaultBackupFileName, describeBackup, makeBackup, readBackup, writeBackupFile } from '../backup/index.js';
import { CancelledError } from '../errors.js';
import type { ApiContext } from './context.js';
import type { HandlerGroup } from './handler.js';

type BackupChannel = 'backup:save' | 'backup:inspect' | 'backup:restore';

/** What the messages call a backup the renderer read without telling its name. */
const UNNAMED = 'file';

export function backupHandlers(ctx: ApiContext): HandlerGroup<BackupChannel> {
  const { deps, service, accountsChanged } = ctx;
  const bytesOf = (text: string): Buffer => Buffer.from(text, 'utf8');
  return {
    'backup:save': async ({ passphrase }) => {
      const accounts = service();
      // A weak passphrase is refused before the dialog opens: the user fixes one thing at a time.
      checkBackupPassphrase(passphrase, accounts.exportAccounts().map((account) => account.settings.name));
      const choose = deps.ports.chooseSavePath;
      // A host without a save dialog is a wiring mistake, not something the user can fix.
      if (!choose) throw new Error('chooseSavePath is not wired for this host');
      const path = await choose(defaultBackupFileName(deps.ports.clock.now()));
      if (path === undefined || path === '') throw new CancelledError('No backup was saved.');
      const backup = await makeBackup(accounts, passphrase, { now: () => deps.ports.clock.now() });
      await writeBackupFile(path, backup.bytes, { overwrite: true });
      return { path, accounts: backup.accounts.length };
    },
    'backup:inspect': async ({ text, passphrase, fileName }) => {
      const accounts = service();
      const backup = await readBackup(bytesOf(text), passphrase, fileName ?? UNNAMED);
      return describeBackup(backup, (await accounts.list()).map((account) => account.name));
    },
    'backup:restore': async ({ text, passphrase, replace, fileName }) => {
      const accounts = service();
      const backup = await readBackup(bytesOf(text), passphrase, fileName ?? UNNAMED);
      // A request running for an account about to be replaced would merge its result into the restored one.
      if (replace) for (const account of backup.accounts) ctx.abort(account.settings.name);
      const result = await accounts.restoreAccounts(backup.accounts, replace);
      accountsChanged();
      return result;
    },
  };
}
