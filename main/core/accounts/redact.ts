/** Turns stored settings into what may leave the main process: no secret values. */
import type { AccountSettings } from '../../../shared/account.js';
import type { PublicAccountSettings } from './types.js';

export function toPublicSettings(settings: AccountSettings): PublicAccountSettings {
  const { clientSecret, password, accessToken, key, ...rest } = settings;
  return {
    ...rest,
    hasClientSecret: Boolean(clientSecret),
    hasPassword: Boolean(password),
    hasAccessToken: Boolean(accessToken),
    ...(key ? { key: { type: key.type, keyId: key.keyId, userId: key.userId, clientId: key.clientId } } : {}),
  };
}
