/**
 * The small page the system browser shows after the loopback redirect. It is
 * static text: no script, no remote content, and never the code or a token
 * (the page stays in the browser's history and screen).
 */

/** Escapes text for HTML element content and attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, heading: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { display: grid; place-items: center; min-height: 90vh; margin: 0; }
  main { max-width: 32rem; padding: 2rem; text-align: center; }
  h1 { font-size: 1.4rem; }
</style>
</head>
<body>
<main>
<h1>${escapeHtml(heading)}</h1>
<p>${escapeHtml(body)}</p>
</main>
</body>
</html>
`;
}

/** Shown when the sign-in finished and TokenDesk holds the tokens. */
export function renderSuccessPage(accountName: string): string {
  return page(
    'Signed in - TokenDesk',
    `You're signed in to ${accountName}.`,
    'You can close this tab and return to TokenDesk.',
  );
}

/** Shown when the sign-in did not finish; `reason` is a plain-language sentence without secrets. */
export function renderFailurePage(reason: string): string {
  return page('Sign-in failed - TokenDesk', 'The sign-in did not finish.', `${reason} You can close this tab and try again from TokenDesk.`);
}

/** Shown for any other path on the loopback listener. */
export function renderNotFoundPage(): string {
  return page('Not found - TokenDesk', 'Nothing here.', 'This address is only used to finish a TokenDesk sign-in.');
}
