/**
 * GraphiQL in a real browser (Chromium, driven by playwright-core): every example tab opens on a
 * mouse click, runs, and shows data from the seed. Run by `npm run test:browser` (not `npm test`:
 * a fresh machine may have no browser); CHROMIUM_PATH names the browser, /usr/bin/chromium by default.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exampleQueries } from '../../src/graphiql-examples.ts';
import type { RunningServer } from '../../src/server.ts';
import { emptyParts, nullRoots } from '../example-data.ts';
import { serve } from '../server-helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server: RunningServer;
let profile: string;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  server = await serve(inject('databaseUrl'));
  // A fresh profile: GraphiQL keeps its tabs in localStorage, and an old profile would reopen those.
  profile = mkdtempSync(join(tmpdir(), 'graphiql-browser-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${server.url}/graphql`);
  await page.locator('.graphiql-tab').nth(exampleQueries.length - 1).waitFor({ timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await server?.shutdown();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('GraphiQL in a browser', () => {
  it('opens with one tab per example', async () => {
    expect(await page.locator('.graphiql-tab').count()).toBe(exampleQueries.length);
  });

  // In reverse, so that every tab but the last is clicked while another one is active.
  it.each([...exampleQueries.keys()].reverse().map((i) => [exampleQueries[i]!.title, i] as const))(
    'selects "%s" by a mouse click, runs it, and shows data',
    async (_title, index) => {
      const tab = page.locator('.graphiql-tab').nth(index);
      await tab.click();
      await expect.poll(() => tab.getAttribute('aria-selected'), { timeout: 5000 }).toBe('true');

      const operation = /query (\w+)/.exec(exampleQueries[index]!.query)?.[1] ?? '';
      // The editor loads the tab's query after the tab is selected; run only once it shows it.
      // (The editor renders spaces as no-break spaces.)
      const editorText = async () => (await page.locator('.graphiql-query-editor').innerText()).replace(/[\s\u00a0]+/g, ' ');
      await expect.poll(editorText, { timeout: 10_000 }).toContain(`query ${operation}`);
      // One click runs the tab's query, however soon after the tab was opened (GraphiQL reads the
      // new query's operation name 100 ms late; src/graphiql-page.ts holds an early click till then).
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/graphql', { timeout: 15_000 }),
        page.locator('.graphiql-execute-button').click(),
      ]);
      // The query GraphiQL sent is this tab's example.
      expect(JSON.parse(response.request().postData() ?? '{}')).toMatchObject({ operationName: operation });
      const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
      expect(response.status()).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(Object.keys(body.data ?? {}).length).toBeGreaterThan(0);
      expect(nullRoots(body.data ?? {})).toEqual([]);
      expect(emptyParts(body.data)).toEqual([]);
      // And the result pane shows it.
      const firstField = Object.keys(body.data ?? {})[0] ?? '';
      await expect.poll(() => page.locator('.graphiql-response').innerText(), { timeout: 10_000 }).toContain(`"${firstField}"`);
    },
  );
});
