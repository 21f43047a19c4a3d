/**
 * Upper bounds of the numbers a credentials file sets. Each of them is turned
 * into a date or kept per request, and one absurd value (9007199254740991)
 * must be refused at import, with a reason, instead of making
 * `toISOString()` throw for every account later.
 */

/**
 * token_lifetime: 10 years. It is only the fallback expiry of tokens whose
 * server says nothing; no real token lives longer (personal access tokens,
 * the longest-lived, are capped at a year or two by their vendors), and
 * 10 years stays far inside what a Date can hold (about 285,000 years).
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 10 * 365 * 86_400;

/**
 * request_budget.window_seconds: 366 days. Vendors that count requests count
 * them per minute, hour, day or month (Myfox); a window of a year (leap year
 * included) covers every budget a vendor documents.
 */
export const MAX_BUDGET_WINDOW_SECONDS = 366 * 86_400;

/**
 * request_budget.max_requests: 10,000. The budget keeps the time of every
 * counted request in the vault until it leaves the window, so this also bounds
 * what each account stores; budgets exist for vendors that allow tens a day.
 */
export const MAX_BUDGET_REQUESTS = 10_000;
