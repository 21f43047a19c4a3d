import { describe, expect, it } from 'vitest';
import { renderFailurePage, renderSuccessPage } from '../../../main/core/oauth/callback-page.js';

describe('callback page', () => {
  it('names the account in plain words and escapes it', () => {
    const html = renderSuccessPage('<script>alert(1)</script> & Co');
    expect(html).toContain('You&#39;re signed in to &#60;script&#62;alert(1)&#60;/script&#62; &#38; Co.');
    expect(html).toContain('You can close this tab and return to TokenDesk.');
    expect(html).not.toContain('<script>');
  });

  it('escapes a failure reason that quotes server text', () => {
    const html = renderFailurePage('Access was not granted: "<img src=x onerror=alert(1)>".');
    expect(html).not.toContain('<img');
    expect(html).toContain('The sign-in did not finish.');
  });
});
