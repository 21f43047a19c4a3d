/** `app:*` and `settings:*`: the vault's life cycle and the preferences kept in it. */
import type { ApiContext } from './context.js';
import type { HandlerGroup } from './handler.js';
import { lockSession } from './lock-session.js';

type AppChannel = 'app:status' | 'app:create' | 'app:unlock' | 'app:lock' | 'app:set-passphrase' | 'settings:get' | 'settings:set' | 'app:activity';

export function appHandlers({ deps, accountsChanged }: ApiContext): HandlerGroup<AppChannel> {
  return {
    'app:status': async () => {
      const status = await deps.session.status();
      if (status.vault !== 'unlocked') return status;
      const agentWarning = deps.agent?.warning();
      return { ...status, recoveryPassphrase: deps.session.hasRecoveryPassphrase(), ...deps.session.notices(), ...(agentWarning ? { agentWarning } : {}) };
    },
    'app:create': async ({ passphrase }) => {
      await deps.session.create(passphrase ? { passphrase } : {});
      await deps.agent?.onUnlocked();
      deps.autoLock?.start();
      accountsChanged();
      return {};
    },
    'app:unlock': async ({ passphrase }) => {
      await deps.session.unlock(passphrase);
      await deps.agent?.onUnlocked();
      deps.autoLock?.start();
      accountsChanged();
      return {};
    },
    'app:lock': async () => {
      await lockSession(deps, 'user');
      return {};
    },
    'app:set-passphrase': async ({ passphrase, currentPassphrase }) => {
      await deps.session.setRecoveryPassphrase(passphrase, currentPassphrase);
      return {};
    },
    'settings:get': async () => {
      const { clipboardClearSeconds, autoLockMinutes } = deps.session.preferences();
      return { clipboardClearSeconds, autoLockMinutes };
    },
    'settings:set': async (patch) => {
      const next = await deps.session.setPreferences(patch);
      // A new idle time counts from now (the user just chose it).
      if (patch.autoLockMinutes !== undefined) deps.autoLock?.start();
      return { clipboardClearSeconds: next.clipboardClearSeconds, autoLockMinutes: next.autoLockMinutes };
    },
    'app:activity': async () => {
      deps.autoLock?.noteActivity();
      return {};
    },
  };
}
