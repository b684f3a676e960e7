import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { decodePng } from '../src/editor/mask';
import { ATTACHMENT_SIZE_LIMIT } from '../src/playground/discord/limits';
import { encodePng } from '../src/simulator';
import { chromiumMissing, launchChromium } from './support/browser';
import type { LocalInteraction, LocalMessage } from '../src/playground/discord';
import { embedText, TestWorld } from './support/harness';
import { freePort } from './support/ports';
import { buttonId, isDone } from './support/surface';

const SHOTS = new URL('../screenshots/', import.meta.url);
const IMAGE = 256;

/** The link of the private "Open the region editor" answer to a Vary (Region) click. */
async function editorLink(world: TestWorld, click: LocalInteraction): Promise<string> {
  const callback = await world.discord.answered(click);
  assert.equal(callback.type, 4, 'answered at once');
  assert.ok(callback.data.flags & 64, 'privately');
  const button = callback.data.components?.[0]?.components?.[0];
  assert.equal(button?.style, 5, 'a link button');
  assert.equal(button?.label, 'Open the region editor');
  return String(button.url);
}

/** Where an image pixel is on the page (the canvas is scaled to fit). */
async function pagePoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = (await page.locator('canvas').boundingBox())!;
  return { x: box.x + (x / IMAGE) * box.width, y: box.y + (y / IMAGE) * box.height };
}

async function drag(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const a = await pagePoint(page, ...from);
  const b = await pagePoint(page, ...to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
}

describe('Vary (Region): the region editor in a real browser', { skip: chromiumMissing }, () => {
  let world: TestWorld;
  let browser: Browser;
  let upscale: LocalMessage;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const port = await freePort();
    world = await TestWorld.start({
      env: { HTTP_PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
      simulator: { imageSize: IMAGE, keepFullBodies: /\/submit\/modal$/ },
    });
    browser = await launchChromium();
    const grid = await world.untilOriginal(await world.command('imagine', { prompt: 'a lighthouse at dusk' }), isDone, 'the grid');
    const u1 = world.discord.click(grid.id, buttonId(grid, 'U1'));
    upscale = await world.untilOriginal(u1, isDone, 'the upscale');
  });
  after(async () => {
    await browser?.close();
    await world?.stop();
  });

  const open = async () => editorLink(world, world.discord.click(upscale.id, buttonId(upscale, 'Vary (Region)')));

  test('paint a rectangle and a brush stroke, edit the prompt, submit: the API gets the mask and the prompt; the result gets its card', async () => {
    const url = await open();
    assert.match(url, /\/editor\/[\w-]{32}$/);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await page.waitForFunction("document.getElementById('canvas').width > 1");
    assert.equal(await page.locator('[data-tool="brush"]').getAttribute('aria-pressed'), 'true', 'the brush is selected');
    assert.equal(await page.locator('textarea[name=prompt]').inputValue(), 'a lighthouse at dusk', 'prefilled with the task prompt');
    await page.getByRole('button', { name: 'Rectangle' }).click();
    await drag(page, [20, 20], [100, 90]);
    await page.getByRole('button', { name: 'Brush' }).click();
    await page.locator('#size').fill('10');
    await drag(page, [150, 200], [230, 200]);
    await page.locator('textarea[name=prompt]').fill('a lighthouse with a red door');
    await page.screenshot({ path: new URL('editor-desktop.png', SHOTS).pathname });
    await page.locator('button[type=submit]').click();
    await page.waitForSelector('body[data-sent="true"]');
    assert.match(await page.locator('#status').innerText(), /Sent — back to Discord/);
    assert.equal(await page.locator('#status a').getAttribute('href'), `https://discord.com/channels/${world.discord.guildId}/${world.discord.channelId}`);

    const modal = world.sim.fullBodies.find((b) => b.path.endsWith('/submit/modal'))!.body as { prompt: string; maskBase64: string };
    assert.equal(modal.prompt, 'a lighthouse with a red door');
    const mask = decodePng(Buffer.from(modal.maskBase64.replace(/^data:image\/png;base64,/, ''), 'base64'));
    assert.deepEqual([mask.width, mask.height], [IMAGE, IMAGE], 'the mask is the image’s size');
    const at = (x: number, y: number) => mask.data[(y * IMAGE + x) * mask.channels]!;
    for (const [x, y] of [[25, 25], [60, 55], [95, 85], [155, 200], [190, 200], [225, 200]]) assert.equal(at(x!, y!), 255, `painted at ${x},${y}`);
    for (const [x, y] of [[5, 5], [120, 120], [200, 60], [190, 230], [10, 250]]) assert.equal(at(x!, y!), 0, `kept at ${x},${y}`);
    for (let i = 0; i < mask.data.length; i += mask.channels) assert.ok(mask.data[i] === 0 || mask.data[i] === 255, 'only black and white');

    const card = await world.discord.waitFor(
      () => world.discord.messagesIn().find((m) => /Vary \(Region\)/.test(String((m.embeds[0] as { title?: string })?.title)) && isDone(m)),
      'the new card, finished',
      15_000,
    );
    assert.match(embedText(card), /a lighthouse with a red door/);
    const taskId = /Task (\S+)/.exec(embedText(card))![1]!;
    assert.equal((await world.app.store.tasks.get(taskId))?.message.uploadLimit, ATTACHMENT_SIZE_LIMIT, "the server's upload limit, from the click, goes with the card");

    // The link works once.
    await page.reload();
    assert.match(await page.locator('h1').innerText(), /Already sent/);
    await page.close();
  });

  test('on a phone: a touch drag paints; undo takes it back and nothing is sent', async () => {
    const url = await open();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction("document.getElementById('canvas').width > 1");
    const cdp = await context.newCDPSession(page);
    const from = await pagePoint(page, 40, 128);
    const to = await pagePoint(page, 200, 128);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from.x, y: from.y }] });
    for (let i = 1; i <= 8; i += 1) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: from.x + ((to.x - from.x) * i) / 8, y: from.y }] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    // The overlay is drawn half-transparent over the image: a painted pixel is pinker than the image there.
    const painted = () =>
      page.evaluate<number>(`(() => {
        const canvas = document.getElementById('canvas');
        const [r, g] = canvas.getContext('2d').getImageData(Math.round(canvas.width / 2), Math.round(canvas.height / 2), 1, 1).data;
        return r - g;
      })()`);
    const withStroke = await painted();
    await page.screenshot({ path: new URL('editor-phone.png', SHOTS).pathname, fullPage: true });
    await page.getByRole('button', { name: 'Undo' }).click();
    assert.ok(withStroke > (await painted()) + 40, 'the touch stroke painted, and undo took it back');
    const modalsBefore = world.sim.requestCount('/submit/modal');
    await page.locator('button[type=submit]').click();
    assert.match(await page.locator('#status').innerText(), /Paint the area to redraw first/);
    assert.equal(world.sim.requestCount('/submit/modal'), modalsBefore, 'nothing sent');
    await context.close();
  });

  test('refusals a person understands: unknown, tampered mask size, two tabs at once, expired', async () => {
    const unknown = await fetch(`http://127.0.0.1:${world.app.httpPort}/editor/${'x'.repeat(32)}`);
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /Link not valid/);

    const url = await open();
    const post = (mask: Buffer) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'a door', mask: `data:image/png;base64,${mask.toString('base64')}` }) });
    const actionsBefore = world.sim.requestCount('/submit/action');
    const small = encodePng(128, 128, Buffer.alloc(128 * 128 * 4, 255), 4);
    const wrongSize = await post(small);
    assert.equal(wrongSize.status, 400);
    assert.match(((await wrongSize.json()) as { error: string }).error, /not the size of the image/);
    const blank = await post(encodePng(IMAGE, IMAGE, Buffer.alloc(IMAGE * IMAGE * 4, 0).fill(255, 0, 0), 4));
    assert.equal(blank.status, 400, 'a transparent mask is not black and white');
    assert.equal(world.sim.requestCount('/submit/action'), actionsBefore, 'nothing sent to the API');

    const pixels = Buffer.alloc(IMAGE * IMAGE * 4);
    for (let i = 0; i < pixels.length; i += 4) pixels.writeUInt32BE(i < pixels.length / 2 ? 0xffffffff : 0x000000ff, i);
    const good = encodePng(IMAGE, IMAGE, pixels, 4);
    const [one, two] = await Promise.all([post(good), post(good)]);
    assert.deepEqual([one.status, two.status].sort(), [200, 409], 'two tabs at once: one is sent');
    assert.equal(world.sim.requestCount('/submit/action'), actionsBefore + 1);

    const late = await open();
    world.clock.advance(16 * 60_000);
    const expired = await fetch(late, { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    assert.equal(expired.status, 410);
    assert.match(await expired.text(), /链接已过期/, 'in the browser’s language');
  });
});
