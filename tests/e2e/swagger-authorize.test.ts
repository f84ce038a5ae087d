import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { chromium, type Browser } from 'playwright-core';
import { buildTestApp, type TestApp } from '../support/app.js';
import { ciMandatory } from '../support/services.js';

/**
 * What a newcomer does first: open Swagger UI, Authorize with a username and password (the OAuth2
 * password flow against /auth/token), then call /auth/me. Needs a Chromium (Debian's `chromium`
 * package, which .ci/run installs): under CI=true a missing one fails the run like any other
 * integration dependency; locally the test skips with a notice.
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

describe('Swagger UI: register, Authorize, call /auth/me (headless Chromium)', function () {
  this.timeout(60_000);
  let t: TestApp | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let base = '';

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (ciMandatory()) throw new Error(`Chromium is required under CI=true but there is none at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
      console.warn(`\n  ⚠ no Chromium at ${CHROMIUM}: the Swagger UI browser test is SKIPPED (apt-get install chromium; mandatory under CI=true)\n`);
      this.skip();
    }
    t = await buildTestApp();
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await t?.close();
  });

  it('authorizes with the password flow and shows the caller on /auth/me, loading nothing from elsewhere', async () => {
    const registered = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'newcomer@example.com', username: 'newcomer', password: 'correct horse battery' }),
    });
    expect(registered.status).to.equal(201);

    const page = await browser!.newPage();
    const elsewhere: string[] = [];
    const failed: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base)) elsewhere.push(r.url());
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/api/v1/auth/me')) failed.push(`${r.status()} ${r.url()}`);
    });

    await page.goto(`${base}/api/docs`);
    await page.click('.swagger-ui .btn.authorize');
    const oauth = page.locator('.modal-ux .auth-container', { has: page.locator('#oauth_username') });
    await oauth.locator('#oauth_username').fill('newcomer');
    await oauth.locator('#oauth_password').fill('correct horse battery');
    await oauth.locator('button.authorize').click();
    // Once authorized, the OAuth2 block swaps its inputs for a Logout button.
    await page.locator('.modal-ux button:has-text("Logout")').first().waitFor();
    await page.click('.modal-ux button.close-modal');

    await page.locator('.opblock-summary-path', { hasText: /^\/api\/v1\/auth\/me$/ }).first().click();
    const op = page.locator('.opblock.is-open').first();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();
    const body = await op.locator('.live-responses-table .response-col_description .microlight').first().innerText();
    const parsed = JSON.parse(body) as { code: number; data: { username: string } };
    expect(parsed.code).to.equal(200);
    expect(parsed.data.username).to.equal('newcomer');
    expect(elsewhere).to.deep.equal([]);
    expect(failed).to.deep.equal([]);
  });
});
