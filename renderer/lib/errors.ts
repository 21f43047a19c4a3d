/**
 * Turns an ApiError into what a non-developer needs: what happened (with the
 * server's own reason when there is one) and what to do next.
 */
import { S } from './strings.js';
import { toApiError, type ApiError } from './api.js';

export interface ErrorView {
  /** What happened, in plain words. */
  what: string;
  /** What to do next. */
  next: string;
  code: string;
  /** A settings change the user can apply with one click ("Use https://…/token/ instead"): accounts:update { tokenUrl: value }, then retry. */
  fix?: { field: 'tokenUrl'; value: string };
}

export type ErrorFix = NonNullable<ApiError['fix']>;

const TRANSPORT_NEXT: Record<string, string> = {
  ERR_NETWORK: S.errors.network,
  ERR_TLS: S.errors.tls,
  ERR_PROXY: S.errors.proxy,
  ERR_TIMEOUT: S.errors.timeout,
  ERR_REDIRECT: S.errors.redirect,
  ERR_RESPONSE_TOO_LARGE: S.errors.protocol,
  ERR_RESPONSE_NOT_JSON: S.errors.protocol,
  ERR_RESPONSE_INVALID: S.errors.protocol,
  ERR_HTTP_STATUS: S.errors.protocol,
  ERR_RATE_LIMITED: S.errors.rateLimited,
};

/** What to do after an OAuth refusal: `invalid_grant` is a wrong password for one grant and a revoked key file for another. */
function refusalAdvice(serverError: string, grant: string | undefined): string {
  if (serverError === 'invalid_grant') return (grant && S.advice.invalidGrant[grant]) || S.errors.next.invalid_grant!;
  if (serverError === 'invalid_client') return grant === 'jwt_bearer' ? S.advice.invalidClientKey : S.advice.invalidClient;
  return S.errors.next[serverError] ?? S.errors.next.other!;
}

function describeWithoutFix(raw: unknown): ErrorView {
  const error = toApiError(raw);
  const code = error.code;
  switch (error.kind) {
    case 'auth_server': {
      if (error.serverError) {
        const credentials = error.serverError === 'invalid_client' || error.serverError === 'unauthorized_client';
        const what = S.errors.withReason(credentials ? S.errors.refusedCredentials : S.errors.refused, error.serverError, error.serverErrorDescription);
        return { what, next: refusalAdvice(error.serverError, error.grant), code };
      }
      return { what: error.message, next: S.errors.next.other!, code };
    }
    case 'transport':
      if (error.fix) return { what: error.message, next: S.advice.redirectFix(error.fix.value), code, fix: { ...error.fix } };
      return { what: error.message, next: TRANSPORT_NEXT[code] ?? S.errors.network, code };
    case 'input':
      // A used-up request budget is no mistake in a text: its message already says when, and how to raise it.
      if (code === 'ERR_BUDGET_EXCEEDED') return { what: error.message, next: '', code };
      return { what: error.message, next: S.errors.input, code };
    case 'vault':
      // A backup file's problems are the file's, not the vault's: "restart TokenDesk" would not help.
      if (code.startsWith('ERR_BACKUP_')) return { what: error.message, next: S.backup.next[code] ?? '', code };
      if (code === 'ERR_VAULT_PASSPHRASE') return { what: error.message, next: S.errors.vaultPassphrase, code };
      if (code === 'ERR_VAULT_LOCKED') return { what: error.message, next: S.errors.vaultLocked, code };
      return { what: error.message, next: S.errors.vault, code };
    case 'system':
      return { what: error.message, next: code === 'ERR_CLIPBOARD' ? S.errors.clipboard : S.errors.tryAgain, code };
    case 'cancelled':
      return { what: S.errors.cancelled, next: '', code };
    default:
      return { what: S.errors.internal, next: '', code };
  }
}

export function describeError(raw: unknown): ErrorView {
  const view = describeWithoutFix(raw);
  const fix = toApiError(raw).fix;
  return fix ? { ...view, fix } : view;
}
