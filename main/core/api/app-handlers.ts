/** `app:*` and `settings:*`: the vault's life cycle and the preferences kept in it. */
import type { ApiContext } from './context.js';
import type { HandlerGroup } from './handler.js';

type AppChannel = 'app:status' | 'app:create' | 'app:unlock' | 'app:lock' | 'app:set-passphrase' | 'settings:get' | 'settings:set';

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
      accountsChanged();
      return {};
    },
    'app:unlock': async ({ passphrase }) => {
      await deps.session.unlock(passphrase);
      await deps.agent?.onUnlocked();
      accountsChanged();
      return {};
    },
    'app:lock': async () => {
      // The agent first: no program may be handed anything while the vault is closing.
      await deps.agent?.onLocked();
      deps.session.lock();
      deps.emit({ type: 'locked' });
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
