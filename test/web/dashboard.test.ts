import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { configSchema } from '../../src/config/index.ts';
import { silentLog } from '../../src/log.ts';
import { createApiKey } from '../../src/server/api-keys.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { billedDatabase, type BilledDatabase } from '../notifications/setup.ts';

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core; .ci/run installs
 * it). Skipped where there is no chromium, so `npm test` needs nothing but Node. A screenshot
 * goes to tmp/dashboard.png for a person to look at.
 */
const CHROMIUM = process.env.BILLFLOW_CHROMIUM ?? '/usr/bin/chromium';

describe('dashboard in Chromium', { skip: existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}` }, () => {
  let billed: BilledDatabase;
  let server: RunningServer;
  let key: string;
  before(async () => {
    billed = await billedDatabase(30);
    const config = configSchema.parse({ dataDir: billed.dataDir, delivery: { enabled: false } });
    server = await startServer({ pool: billed.db.pool, config, log: silentLog }, {
      port: 0, host: '127.0.0.1', threads: 0, connectionString: billed.db.url,
      runner: { connectionString: billed.db.url, concurrency: 1, pollIntervalMs: 500, heartbeatMs: 5_000, deadAfterMs: 60_000 },
    });
    key = (await createApiKey(billed.db.pool, { name: 'dashboard', scopes: ['read'] })).key;
  });
  after(async () => {
    await server?.close();
    await billed?.db.drop();
  });

  it('shows the run, invoice counts, charts and money; asks for a key without one', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'], headless: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/dashboard`);
      await page.waitForSelector('#login:not([hidden])');
      await page.fill('#key', 'bf_not_a_key');
      await page.click('#use');
      await page.waitForFunction("document.querySelector('#loginError')?.textContent !== ''");

      await page.goto(`${server.url}/dashboard#key=${encodeURIComponent(key)}`);
      await page.waitForSelector('#main:not([hidden]) #tiles .tile');
      assert.equal(new URL(page.url()).hash, '', 'the key leaves the address bar');
      const tiles = await page.locator('#tiles').innerText();
      assert.match(tiles, new RegExp(`${billed.invoices}\\s+invoices in 2026-11`));
      assert.match(tiles, /PDFs/);
      const runs = await page.locator('#runs').innerText();
      assert.match(runs, /completed/);
      assert.ok(await page.locator('#timeline svg rect').count() >= 1, 'invoices-per-minute bars');
      assert.ok(await page.locator('#activity svg polyline').count() === 3, 'three activity lines');
      const money = await page.locator('#currencies').innerText();
      assert.match(money, /[$€£¥₹]|KWD|INR/);
      mkdirSync('tmp', { recursive: true });
      await page.screenshot({ path: 'tmp/dashboard.png', fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});
