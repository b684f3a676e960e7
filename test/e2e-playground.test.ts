import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { encodePng } from '../src/simulator';
import { chromiumMissing, launchChromium } from './support/browser';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { BotProcess, runScript } from './support/process';
import { freePort } from './support/ports';

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

  test('⭐ in the page: bob stars alice’s fox, #showcase gets the post, /favorites and /history answer privately', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    await page.goto(url);
    // The first card: the grid (the upscale and the zoom after it show the same prompt).
    const card = page.locator('[data-message-id]').filter({ hasText: /a red fox in the snow --ar 3:2/ }).first();
    await finished(card);
    await page.locator('#user').selectOption({ label: 'bob (member)' });
    await card.getByRole('button', { name: '⭐ 0', exact: true }).click();
    await page.locator('[data-ephemeral="true"]').filter({ hasText: /You starred this image \(1 star now\)/ }).waitFor();
    await card.getByRole('button', { name: '⭐ 1', exact: true }).waitFor();
    const showcaseTab = page.locator('[data-channel="showcase"]');
    await page.locator('[data-channel="showcase"].unread').waitFor();
    await showcaseTab.click();
    const post = message(page, /a red fox in the snow --ar 3:2/);
    await post.getByText(/⭐ 1 star/).waitFor();
    assert.match((await post.textContent()) ?? '', /Imagine[\s\S]*by @alice/);
    assert.equal(await post.getByRole('link', { name: /Go to the card/ }).count(), 1, 'a link back to the card');
    assert.ok(await post.locator('img').first().evaluate((node: unknown) => {
        const img = node as { decode(): Promise<void>; naturalWidth: number };
        return img.decode().then(() => img.naturalWidth > 0);
      }), 'the image is drawn');
    assert.equal(await message(page, /Upscale U1/).count(), 0, '#showcase shows only its own messages');
    await page.screenshot({ path: new URL('playground-showcase.png', SHOTS).pathname });

    await page.locator('[data-channel="general"]').click();
    await run(page, '/favorites');
    const favorites = page.locator('[data-ephemeral="true"]').filter({ hasText: /Your favourites in this server/ });
    await favorites.waitFor();
    assert.match((await favorites.textContent()) ?? '', /a red fox in the snow/);
    await favorites.locator('img.thumb').first().waitFor();
    await page.locator('#user').selectOption({ label: 'alice (admin)' });
    await run(page, '/history kind: upscale');
    const history = page.locator('[data-ephemeral="true"]').filter({ hasText: /Your tasks in this server \(upscale\)/ });
    await history.waitFor();
    assert.match((await history.textContent()) ?? '', /Upscale U1/);
    assert.equal(await page.locator('[data-ephemeral="true"]').filter({ hasText: /Your favourites/ }).count(), 0, 'alice does not see bob’s favourites');
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
      // alice's private answers so far (the tests before may have left some): the next one is /quota's.
      const answers = page.locator('[data-ephemeral="true"]').filter({ hasText: /仅你可见/ });
      await page.locator('#user option').first().waitFor({ state: 'attached' });
      const before = await answers.count();
      await run(page, '/quota');
      const answer = answers.nth(before);
      await answer.waitFor();
      assert.match((await answer.textContent()) ?? '', /你可以管理本服务器/, 'the member’s Discord language is the browser’s');
    } finally {
      await context.close();
    }
  });

  test('a Chinese prompt is translated offline (the simulator’s phrase book) and the card shows what was sent', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await run(page, '/imagine prompt: 一只戴着围巾的猫，水彩画 --ar 3:2');
    const card = message(page, /一只戴着围巾的猫，水彩画 --ar 3:2/);
    await card.filter({ hasText: 'Sent as: a cat wearing a scarf, watercolor painting --ar 3:2' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: new URL('playground-translated.png', SHOTS).pathname });
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

describe('the playground with two simulated APIs (npm run play -- --upstreams 2)', { skip: chromiumMissing }, () => {
  test('the page stops one API; new tasks still finish, on the other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mj-bridge-play-'));
    const { bot, url } = await startBot(dir, { SIMULATOR_RUN_MS: '1500' }, ['--playground', '--upstreams', '2']);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(url);
      const alpha = page.locator('button[data-api="alpha"]');
      await alpha.waitFor();
      assert.match((await alpha.textContent()) ?? '', /alpha: up/);
      await alpha.click();
      await page.locator('button[data-api="alpha"]', { hasText: /stopped/ }).waitFor();
      for (const prompt of ['a heron while alpha sleeps', 'a crane while alpha sleeps']) {
        await run(page, `/imagine prompt: ${prompt}`);
        await finished(message(page, new RegExp(prompt)), 40_000);
      }
      await page.screenshot({ path: new URL('playground-apis.png', SHOTS).pathname });
      await bot.waitForOutput(/an API is down/);
      const health = (await (await fetch(new URL('/healthz', url))).json()) as { upstreams: Array<{ name: string; state: string }> };
      assert.deepEqual(health.upstreams.map((u) => u.name), ['alpha', 'beta']);
      assert.equal(health.upstreams[1]!.state, 'up');
    } finally {
      await browser.close();
      await bot.stop();
      rmSync(dir, { recursive: true, force: true });
    }
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

/** The bot process's resident memory, from /proc (Linux). */
const rssOf = (bot: BotProcess): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${bot.child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** A request with the headers a browser would send from elsewhere, which fetch() does not let a page set. */
function rawRequest(url: string, method: string, headers: Record<string, string>, body = ''): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('who can reach the playground (issue 21)', { skip: chromiumMissing }, () => {
  let dir: string;
  let bot: BotProcess;
  let url: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mj-bridge-play-'));
    ({ bot, url } = await startBot(dir));
  });
  after(async () => {
    await bot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a page under a foreign host name that resolves to 127.0.0.1 (DNS rebinding) is refused; 127.0.0.1 works, in Chromium', async () => {
    const port = new URL(url).port;
    const browser = await launchChromium(['--host-resolver-rules=MAP rebind.attacker.test 127.0.0.1']);
    try {
      const page = await browser.newPage();
      const rebound = await page.goto(`http://rebind.attacker.test:${port}/`);
      assert.equal(rebound?.status(), 421);
      assert.equal(await page.locator('input[name="command"]').count(), 0, 'no playground under that name');
      // What the attacker's page would do next, from its own origin: read the feed, run a command.
      const tries = await page.evaluate(async () => {
        const feed = await fetch('/playground/events').then((r) => r.status);
        const command = await fetch('/playground/command', { method: 'POST', headers: { 'content-type': 'application/json', 'x-playground': '1' }, body: '{"user":"x","text":"/admin budget daily: 1"}' }).then((r) => r.status);
        return { feed, command };
      });
      assert.deepEqual(tries, { feed: 421, command: 421 });
      const home = await page.goto(url);
      assert.equal(home?.status(), 200);
      await page.locator('#user option').first().waitFor({ state: 'attached' });
    } finally {
      await browser.close();
    }
  });

  test('the page cannot be framed, and writes from another site are refused', async () => {
    const page = await fetch(url);
    assert.match(String(page.headers.get('content-security-policy')), /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    const action = (headers: Record<string, string>) =>
      rawRequest(new URL('/playground/command', url).href, 'POST', { host: new URL(url).host, 'content-type': 'application/json', 'x-playground': '1', ...headers }, '{"user":"x","text":"/quota"}');
    assert.equal((await action({ origin: 'http://evil.example' })).status, 403, 'another origin');
    assert.equal((await action({ 'sec-fetch-site': 'cross-site' })).status, 403, 'a cross-site fetch');
    assert.equal((await action({ origin: `http://${new URL(url).host}`, 'sec-fetch-site': 'same-origin' })).status, 400, 'the page itself gets through (and is told to pick a member)');
  });

  test('what the playground holds is bounded: 50 uploads of 10 MB leave memory where a few would', async () => {
    const file = Buffer.alloc(10 * 1024 * 1024 - 1024, 7);
    // What the playground keeps (64 MB of files, src/playground/boot.ts) plus garbage not yet collected measured 100-150 MB here;
    // a playground that kept every upload grows by 500 MB. RSS moves with the collector, so the margin is wide on both sides.
    const before = rssOf(bot);
    for (let i = 0; i < 50; i += 1) {
      const answer = await fetch(new URL(`/playground/upload?name=f${i}.bin`, url), { method: 'POST', headers: { 'x-playground': '1' }, body: file });
      assert.equal(answer.status, 200);
    }
    const grown = rssOf(bot) - before;
    assert.ok(grown < 300 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1048576)} MB for 500 MB of uploads`);
    assert.equal((await fetch(new URL('/healthz', url))).status, 200);
  });
});

describe('when the playground does not start', () => {
  test('npm start with MJ_API_URL set and no Discord application exits 1, naming npm run play', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mj-bridge-play-'));
    try {
      const result = await runScript('src/index.ts', { MJ_API_URL: 'https://api.example.com', MJ_API_KEY: 'sk-real-plan-key', HTTP_PORT: '0' }, dir);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /Set the Discord variables to run the bot in a server, or use `npm run play`/);
      assert.doesNotMatch(result.stdout + result.stderr, /sk-real-plan-key|PLAYGROUND MODE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('on a non-loopback HTTP_HOST only with PLAYGROUND_TOKEN, and then every request needs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mj-bridge-play-'));
    try {
      const open = await runScript('src/index.ts', { HTTP_HOST: '0.0.0.0', HTTP_PORT: '0' }, dir);
      assert.equal(open.code, 1);
      assert.match(open.stderr, /Set PLAYGROUND_TOKEN/);
      const token = 'a-playground-token-0123456789abcdef';
      const port = await freePort();
      const bot = new BotProcess('src/index.ts', { HTTP_HOST: '0.0.0.0', HTTP_PORT: String(port), PLAYGROUND_TOKEN: token, SIMULATOR_RUN_MS: '800' }, dir);
      try {
        await bot.waitForOutput(/PLAYGROUND MODE/, 30_000);
        await bot.waitForOutput(/must carry PLAYGROUND_TOKEN/);
        const base = `http://127.0.0.1:${port}`;
        assert.equal((await fetch(`${base}/`)).status, 401, 'not without the token, even from this machine');
        assert.equal((await fetch(`${base}/playground/events`)).status, 401);
        const entry = await fetch(`${base}/?token=${token}`, { redirect: 'manual' });
        assert.equal(entry.status, 303, 'the token leaves the address bar');
        const cookie = String(entry.headers.get('set-cookie')).split(';')[0]!;
        assert.match(String(entry.headers.get('set-cookie')), /HttpOnly; SameSite=Strict/);
        const page = await fetch(`${base}/`, { headers: { cookie } });
        assert.equal(page.status, 200);
        assert.equal((await fetch(`${base}/`, { headers: { cookie: 'mj_playground=wrong' } })).status, 401);
        assert.doesNotMatch(bot.stdout + bot.stderr, new RegExp(token), 'the token is never logged');
      } finally {
        await bot.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
