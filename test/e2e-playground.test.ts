import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { encodePng } from '../src/simulator';
import { chromiumMissing, launchChromium } from './support/browser';
import { BotProcess } from './support/process';

/** Issue 14: `npm start` with no Discord application opens a playground where the real bot runs. */

const SHOTS = new URL('../screenshots/', import.meta.url);
const PLAYGROUND = /PLAYGROUND MODE[^\n]*Open (http:\/\/127\.0\.0\.1:\d+\/)/;

/** Starts the bot as `npm start` does, with nothing about Discord or an API configured. */
async function startBot(dir: string, env: Record<string, string> = {}, args: string[] = []): Promise<{ bot: BotProcess; url: string }> {
  // HTTP_PORT=0: a free port (the log says which); a run of 8 s spans at least two polls (every 3 s), so progress shows.
  const bot = new BotProcess('src/index.ts', { HTTP_PORT: '0', SIMULATOR_RUN_MS: '8000', ...env }, dir, [], args);
  await bot.waitForOutput(PLAYGROUND, 30_000);
  return { bot, url: PLAYGROUND.exec(bot.stdout + bot.stderr)![1]! };
}

/** The newest message whose text matches. */
const message = (page: Page, text: RegExp): Locator => page.locator('[data-message-id]').filter({ hasText: text }).last();
const run = async (page: Page, command: string) => {
  await page.locator('input[name="command"]').fill(command);
  await page.locator('input[name="command"]').press('Enter');
};
/** A card that finished: its image and its buttons. */
const finished = async (card: Locator, timeout = 30_000) => {
  await card.getByText(/✅/).waitFor({ timeout });
  await card.locator('img').first().waitFor({ timeout });
};

describe('the playground: npm start with nothing configured', { skip: chromiumMissing }, () => {
  let dir: string;
  let bot: BotProcess;
  let url: string;
  let browser: Browser;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'mj-bridge-play-'));
    ({ bot, url } = await startBot(dir));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await bot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('imagine shows a card that goes from progress to the grid with its buttons; U1 upscales; Custom Zoom works through a form', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await page.locator('#user option').first().waitFor({ state: 'attached' });
    await run(page, '/imagine prompt: a red fox in the snow --ar 3:2');
    const card = message(page, /a red fox in the snow/);
    // What the card said while it ran, read as a member would see it (bounded by the wait below).
    const seen = new Set<string>();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const text = (await card.textContent().catch(() => '')) ?? '';
      if (/\d+%/.test(text)) seen.add('progress');
      if (/✅ Done/.test(text)) break;
      await page.waitForTimeout(50);
    }
    assert.ok(seen.has('progress'), 'the card showed its progress before the result');
    await finished(card);
    for (const label of ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4', '🔄']) {
      assert.equal(await card.getByRole('button', { name: label, exact: true }).count(), 1, `button ${label}`);
    }
    assert.ok(await card.locator('img').first().evaluate((node: unknown) => {
        const img = node as { decode(): Promise<void>; naturalWidth: number };
        return img.decode().then(() => img.naturalWidth > 0);
      }), 'the image is drawn');
    await page.screenshot({ path: new URL('playground-desktop.png', SHOTS).pathname });

    await card.getByRole('button', { name: 'U1', exact: true }).click();
    const upscale = message(page, /Upscale U1/);
    await finished(upscale);
    await upscale.getByRole('button', { name: /Custom Zoom/ }).click();
    const form = page.locator('dialog[open]');
    await form.waitFor();
    const prompt = form.locator('textarea').first();
    assert.match(await prompt.inputValue(), /--zoom 2$/, 'prefilled as Midjourney does');
    await prompt.fill('a red fox in the snow --zoom 1.5');
    await form.getByRole('button', { name: 'Submit' }).click();
    await finished(message(page, /Custom Zoom/));
  });

  test('another member clicking the first member’s U2 gets a private refusal only they see', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    const card = message(page, /a red fox in the snow/);
    await finished(card);
    await page.locator('#user').selectOption({ label: 'bob (member)' });
    await card.getByRole('button', { name: 'U2', exact: true }).click();
    const refusal = page.locator('[data-ephemeral="true"]').filter({ hasText: /Only @alice/ });
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /Only you can see this/);
    await page.locator('#user').selectOption({ label: 'alice (admin)' });
    assert.equal(await page.locator('[data-ephemeral="true"]').filter({ hasText: /Only @alice/ }).count(), 0, 'alice does not see bob’s private answer');
  });

  test('files are picked in the page: /blend with two pictures', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await page.locator('input[name="command"]').fill('/blend ');
    const picture = (seed: number) => ({ name: `photo-${seed}.png`, mimeType: 'image/png', buffer: encodePng(16, 16, Buffer.alloc(16 * 16 * 4, seed * 60), 4) });
    await page.locator('input[type=file][data-option="image1"]').setInputFiles(picture(1));
    await page.locator('input[type=file][data-option="image2"]').setInputFiles(picture(2));
    await page.locator('input[name="command"]').fill('/blend dimensions: landscape');
    await page.locator('input[name="command"]').press('Enter');
    await finished(message(page, /Blend of 2 images/));
    await run(page, '/imagine');
    // The page shows the refusal once the server has answered the command.
    await page.locator('#error').filter({ hasText: /\S/ }).waitFor();
    assert.match((await page.locator('#error').textContent()) ?? '', /needs prompt/, 'a command the bot cannot take is refused in the page, as Discord’s client does');
  });

  test('a Chinese browser gets the page, and the bot’s private answers, in Chinese', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    try {
      const page = await context.newPage();
      await page.goto(url);
      await page.getByRole('button', { name: '发送' }).waitFor();
      await run(page, '/quota');
      const answer = page.locator('[data-ephemeral="true"]').filter({ hasText: /仅你可见/ }).last();
      await answer.waitFor();
      assert.match((await answer.textContent()) ?? '', /你可以管理本服务器/, 'the member’s Discord language is the browser’s');
    } finally {
      await context.close();
    }
  });

  test('on a phone: the channel and the command box fit the screen', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(url);
    await finished(message(page, /a red fox in the snow/));
    const overflow = await page.evaluate(() => {
      const view = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
      return view.document.documentElement.scrollWidth - view.innerWidth;
    });
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
    assert.ok(await page.locator('input[name="command"]').isVisible());
    await page.screenshot({ path: new URL('playground-phone.png', SHOTS).pathname });
  });
});

describe('npm run play', () => {
  test('forces the playground even with a Discord application configured, and never contacts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mj-bridge-play-'));
    const { bot, url } = await startBot(dir, { DISCORD_TOKEN: 'a-real-looking-token', DISCORD_APPLICATION_ID: '123456789012345678', DISCORD_API_URL: 'http://127.0.0.1:9/api' }, ['--playground']);
    try {
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /name="command"/);
      const health = await fetch(new URL('/healthz', url));
      assert.equal(health.status, 200, 'connected to the local Discord, not to the configured one');
      assert.doesNotMatch(bot.stdout + bot.stderr, /a-real-looking-token/);
      // What another web page could send (a form post: no preflight) is refused.
      const forged = await fetch(new URL('/playground/command', url), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"text":"/imagine prompt: spend"}' });
      assert.equal(forged.status, 403);
    } finally {
      await bot.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
