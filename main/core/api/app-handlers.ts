/** `app:*` and `settings:*`: the vault's life cycle and the preferences kept in it. */
import type { ApiContext } from './context.js';
import type { HandlerGroup } from './handler.js';

type AppChannel = 'app:status' | 'app:create' | 'app:unlock' | 'app:set-passphrase' | 'settings:get' | 'settings:set';

export function appHandlers({ deps, accountsChanged }: ApiContext): HandlerGroup<AppChannel> {
  return {
    'app:status': async () => {
      const status = await deps.session.status();
      if (status.vault !== 'unlocked') return status;
      return { ...status, recoveryPassphrase: deps.session.hasRecoveryPassphrase(), ...deps.session.notices() };
    },
    'app:create': async ({ passphrase }) => {
      await deps.session.create(passphrase ? { passphrase } : {});
      accountsChanged();
      return {};
    },
    'app:unlock': async ({ passphrase }) => {
      await deps.session.unlock(passphrase);
      accountsChanged();
      return {};
    },
    'app:set-passphrase': async ({ passphrase, currentPassphrase }) => {
      await deps.session.setRecoveryPassphrase(passphrase, currentPassphrase);
      return {};
    },
    'settings:get': async () => ({ clipboardClearSeconds: deps.session.preferences().clipboardClearSeconds }),
    'settings:set': async (patch) => {
      const next = await deps.session.setPreferences(patch);
      return { clipboardClearSeconds: next.clipboardClearSeconds };
    },
  };
}
