/**
 * The dashboard in a real browser: headless Chromium (Debian's, through
 * playwright-core) against a gateway in this process under a bounded load
 * of 200, 404, 405, 429, 502 and 504. Screenshots go to a temporary folder,
 * or to docs/ with STATUSKIT_SCREENSHOTS=docs (how the README's was made).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { catalogFor } from '../../../src/gateway/telemetry/dashboard/stream.ts';
import { type MixGateway, startMixGateway } from './load.ts';

const CHROMIUM = '/usr/bin/chromium';
const CODES = [200, 404, 405, 429, 502, 504];
const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
const shots = process.env.STATUSKIT_SCREENSHOTS === 'docs' ? DOCS : mkdtempSync(join(tmpdir(), 'statuskit-dash-'));

describe('the dashboard page in headless Chromium', () => {
  let mix: MixGateway;
  let browser: Browser;
  let page: Page;

  before(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: the dashboard's browser test needs it (apt-get install -y chromium).`);
    mix = await startMixGateway();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  });
  after(async () => {
    await browser?.close();
    await mix?.close();
  });

  it('shows every code of the load with its catalog name, and the numbers move', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // Two rounds use up the hot client's allowance (2 per minute); the rest answer it 429.
    for (let i = 0; i < 3; i++) assert.ok((await mix.round()).every((s) => s > 0));
    const statuses = await mix.round();
    assert.deepEqual([...new Set(statuses)].sort(), CODES, 'the load itself produced every code');

    await page.goto(`${mix.gateway.adminUrl}/dashboard`);
    const names = catalogFor('generic');
    for (const code of CODES) {
      const row = page.locator(`#route-details tr[data-code="${code}"]`).first();
      await row.waitFor({ timeout: 10_000 });
      const text = await row.textContent();
      assert.ok(text?.includes(names[code]?.name ?? '?'), `${code}'s row names it ${names[code]?.name}: ${text}`);
    }
    assert.equal(await page.locator('#conn').textContent(), 'Live');

    // The /api route's 2xx cell: 3 a round and the hot client's 2 (a second is shown once complete) …
    const cell = page.locator('#route-table tr[data-route="/api"] td:nth-child(3)');
    const api2xx = async (n: number): Promise<void> => {
      // The page redraws once a second; 10 s is only a hang guard.
      for (let i = 0; i < 100 && Number(await cell.textContent()) !== n; i++) await page.waitForTimeout(100);
      assert.equal(Number(await cell.textContent()), n);
    };
    await api2xx(4 * 3 + 2);
    // … and it moves with more load.
    await mix.round();
    await api2xx(5 * 3 + 2);

    // Who failed: the 502s and 504s are the upstream's; 404, 405, 429 the client's.
    const upstreamCell = page.locator('#route-table tr[data-route="/down"] td:nth-child(12)');
    assert.ok(Number(await upstreamCell.textContent()) > 0);
    // The 429s name their cause.
    assert.match((await page.locator('#route-details').textContent()) ?? '', /429 rate limit ×\d+/);

    // The latest errors link a request id to its access line's fields.
    const id = page.locator('#error-table button.link').first();
    const requestId = await id.textContent();
    await id.click();
    await page.locator('#access').waitFor({ state: 'visible' });
    const fields = (await page.locator('#access-fields').textContent()) ?? '';
    assert.ok(requestId && fields.includes(requestId));
    assert.match(fields, /method/);
    assert.match(fields, /duration_ms/);
    assert.match(fields, /client127\.0\.0\.1/, 'the client address, as the access line has it');
    assert.equal(await page.evaluate('document.activeElement?.id'), 'access', 'focus moves to the fields');
    assert.deepEqual(errors, []);
  });

  it('reconnects by itself when the stream is cut (retry: 2 s)', async () => {
    const conn = page.locator('#conn');
    const tickOf = async (): Promise<number> => Number(await page.locator('body').getAttribute('data-tick'));
    mix.gateway.gw.admin?.closeAllConnections();
    for (let i = 0; i < 100 && (await conn.textContent()) !== 'Reconnecting…'; i++) await page.waitForTimeout(50);
    assert.equal(await conn.textContent(), 'Reconnecting…');
    const cut = await tickOf();
    for (let i = 0; i < 100 && ((await conn.textContent()) !== 'Live' || (await tickOf()) <= cut); i++)
      await page.waitForTimeout(100);
    assert.equal(await conn.textContent(), 'Live');
    assert.ok((await tickOf()) > cut, 'ticks again');
  });

  it('keeps its screenshots: light, dark, narrow', async () => {
    if (await page.locator('#access').isVisible()) await page.locator('#access-close').click();
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(shots, 'dashboard-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await page.locator('#theme').getAttribute('aria-pressed'), 'false', 'the toggle was read at load');
    await page.reload();
    await page.locator('#route-details tr[data-code="200"]').first().waitFor();
    assert.equal(await page.locator('#theme').getAttribute('aria-pressed'), 'true');
    const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    assert.equal(bg, 'rgb(13, 17, 23)', 'dark colours under prefers-color-scheme: dark');
    await page.screenshot({ path: join(shots, 'dashboard-dark.png') });
    // The toggle overrides the system's choice.
    await page.locator('#theme').click();
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'light');
    assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(255, 255, 255)');
    await page.locator('#theme').click();

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 0, `no sideways scrolling of the page on a phone (${overflow} px)`);
    await page.screenshot({ path: join(shots, 'dashboard-narrow.png') });
    for (const name of ['dashboard-light.png', 'dashboard-dark.png', 'dashboard-narrow.png'])
      assert.equal(readFileSync(join(shots, name)).subarray(1, 4).toString(), 'PNG');
  });

  it('is usable from the keyboard: a skip link, then focusable controls in order', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.reload();
    await page.locator('#route-details tr[data-code="200"]').first().waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to routes');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.id'), 'theme');
    assert.equal(await page.locator('table#route-table caption').count(), 1);
    assert.equal(await page.locator('[aria-live]').count(), 1, 'one live region, for the connection');
  });
});
