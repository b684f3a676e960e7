import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { embedText, TestWorld } from './support/harness';
import { bodiesTo, buttonId, image, isDone, labels, modalInput } from './support/surface';

const KEY = 'test-api-key-secret';
const GRID = ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4'];
/** The grid and ⭐ (its count, 0), which needs nothing of the API. */
const GRID_STARRED = [...GRID, '0'];
/** A finished card whose task sent no buttons (an upscale on the open-source proxy). */
const isFinishedCard = (m: Parameters<typeof isDone>[0]) => /✅ Done/.test(embedText(m)) && m.attachments.length > 0;

/** The self-hosted open-source proxy (novicezk): no buttons in its tasks, U/V/reroll through /submit/change. */
describe('provider midjourney-proxy on the open-source server', () => {
  let world: TestWorld;
  before(async () => {
    world = await TestWorld.start({ simulator: { family: 'open-source', apiKey: KEY }, env: { MJ_PROVIDER: 'midjourney-proxy' } });
  });
  after(() => world.stop());

  test('a grid gets U1–U4, reroll and V1–V4 drawn by the bot, and no Seed (the server has no image-seed)', async () => {
    const i = await world.command('imagine', { prompt: 'a fox', mode: 'relax' });
    const grid = await world.untilOriginal(i, isDone, 'the grid');
    assert.deepEqual(labels(grid), GRID_STARRED);
    const request = world.sim.requests.find((r) => r.path.endsWith('/submit/imagine'))!;
    assert.equal(request.path, '/mj/submit/imagine');
    assert.equal((request.body as { prompt: string }).prompt, 'a fox --relax', 'no mode prefix: the mode goes into the prompt');
    assert.equal(request.headers['mj-api-secret'], KEY);

    const taskId = /Task (\d+)/.exec(embedText(grid))![1];
    const u2 = world.discord.click(grid.id, buttonId(grid, 'U2'));
    const upscaled = await world.untilOriginal(u2, isFinishedCard, 'the upscale');
    assert.deepEqual(labels(upscaled), ['0'], 'the open-source server offers nothing under an upscale, not even Seed: only ⭐');
    const v3 = world.discord.click(grid.id, buttonId(grid, 'V3'));
    const varied = await world.untilOriginal(v3, isDone, 'the variation');
    assert.deepEqual(labels(varied), GRID_STARRED);
    const reroll = world.discord.click(grid.id, buttonId(grid, '🔄'));
    await world.untilOriginal(reroll, isDone, 'the reroll');
    assert.deepEqual(
      bodiesTo(world, '/submit/change').map(({ taskId: id, action, index }) => ({ id, action, index })),
      [
        { id: taskId, action: 'UPSCALE', index: 2 },
        { id: taskId, action: 'VARIATION', index: 3 },
        { id: taskId, action: 'REROLL', index: undefined },
      ],
    );
    assert.equal(world.sim.requestCount('/submit/action'), 0);
  });

  test('/blend works and gets the same buttons', async () => {
    const i = await world.command('blend', { image1: image(world, 1), image2: image(world, 2), dimensions: 'portrait' });
    const card = await world.untilOriginal(i, isDone, 'the blend');
    assert.deepEqual(labels(card), GRID_STARRED);
    assert.equal(bodiesTo(world, '/submit/blend').at(-1)?.dimensions, 'PORTRAIT');
  });

  test('/describe of an image: 1️⃣–4️⃣ open the prompt modal and start a plain /imagine', async () => {
    const i = await world.command('describe', { image: image(world, 3) });
    const card = await world.untilOriginal(i, isDone, 'the describe card');
    assert.deepEqual(labels(card), ['1️⃣', '2️⃣', '3️⃣', '4️⃣']);
    const click = world.discord.click(card.id, buttonId(card, '4️⃣'));
    await world.discord.answered(click);
    const prompt = modalInput(click.callback).value!;
    assert.equal(prompt, /Prompt 4: (.+)/.exec(embedText(card))![1]);
    const submit = world.discord.submitModal(click, {});
    await world.untilOriginal(submit, isDone, 'the imagine of prompt 4', 15_000);
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, prompt);
    assert.equal(world.sim.requestCount('/submit/action') + world.sim.requestCount('/submit/modal'), 0);
  });

  test('/describe of a link is explained: this server takes attached images only', async () => {
    const i = await world.command('describe', { link: 'https://example.com/fox.png' });
    assert.match(await world.privateAnswer(i), /cannot describe a link\. Attach the image/);
  });

  test('commands the open-source server does not have say so privately', async () => {
    const runs: Array<[string, Record<string, unknown>]> = [
      ['shorten', { prompt: 'a fox' }],
      ['video', { prompt: 'runs', link: 'https://example.com/a.png' }],
      ['edit', { prompt: 'night', image: image(world, 4) }],
      ['swapface', { source: image(world, 5), target: image(world, 6) }],
    ];
    for (const [name, options] of runs) {
      const i = await world.command(name, options as never);
      assert.match(await world.privateAnswer(i), /not offered by this server's Midjourney provider/, `/${name}`);
    }
  });
});

/** YEScale: bearer auth, the mode as a prompt flag, reseller limits, and finished videos only at /mjvideo/fetch/{id}. */
describe('provider yescale', () => {
  let world: TestWorld;
  before(async () => {
    world = await TestWorld.start({ simulator: { family: 'reseller', apiKey: KEY }, env: { MJ_PROVIDER: 'yescale' } });
    world.sim.configure({ videoFetchOnly: true });
  });
  after(() => world.stop());

  test('a video is fetched from /mjvideo/fetch/{id} and attached; video upscales are hidden', async () => {
    const i = await world.command('video', { prompt: 'the fox runs', link: 'https://example.com/fox.png' });
    const card = await world.untilOriginal(i, isDone, 'the video card', 15_000);
    const taskId = /Task (\d+)/.exec(embedText(card))![1];
    assert.ok(world.sim.requests.some((r) => r.path === `/mjvideo/fetch/${taskId}` && r.status === 200), 'the video path was asked');
    assert.equal(card.attachments.length, 4);
    assert.ok(card.attachments.every((a) => a.filename.endsWith('.mp4')));
    assert.ok(!labels(card).some((l) => /^U\d$/.test(l)), `no video upscale buttons in ${labels(card)}`);
    const submit = world.sim.requests.find((r) => r.path.endsWith('/submit/video'))!;
    assert.equal(submit.path, '/mj/submit/video');
    assert.equal(submit.headers.authorization, `Bearer ${KEY}`);
  });

  test('an upscale hides what resellers refuse (animate, bookmark) and keeps the rest', async () => {
    const i = await world.command('imagine', { prompt: 'a heron', mode: 'fast' });
    const grid = await world.untilOriginal(i, isDone, 'the grid');
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, 'a heron --fast');
    const u1 = world.discord.click(grid.id, buttonId(grid, 'U1'));
    const upscaled = await world.untilOriginal(u1, isDone, 'the upscale');
    const shown = labels(upscaled);
    assert.ok(shown.includes('Vary (Subtle)') && shown.includes('Custom Zoom') && shown.includes('Seed'), `kept: ${shown}`);
    assert.ok(!shown.some((l) => /Animate|Bookmark|❤️/.test(l)), `hidden: ${shown}`);
  });
});

/** new-api relays (and MaxAPI, openai-hk): mode in the path, numeric ids, describe Retry / Imagine all hidden. */
describe('provider new-api and openai-hk', () => {
  let world: TestWorld;
  before(async () => {
    world = await TestWorld.start({ simulator: { family: 'reseller', apiKey: KEY }, env: { MJ_PROVIDER: 'new-api' } });
    world.sim.configure({ numericIds: true });
  });
  after(() => world.stop());

  test('the mode goes into the path, numeric task ids work, and describe shows only the numbered buttons', async () => {
    const i = await world.command('describe', { image: image(world, 1), mode: 'relax' });
    const card = await world.untilOriginal(i, isDone, 'the describe card');
    assert.equal(world.sim.requests.find((r) => r.path.endsWith('/submit/describe'))?.path, '/mj-relax/mj/submit/describe');
    assert.deepEqual(labels(card), ['1️⃣', '2️⃣', '3️⃣', '4️⃣']);
  });

  test('openai-hk has no turbo mode: asking for it is refused before any call', async () => {
    const hk = await TestWorld.start({ simulator: { family: 'reseller', apiKey: KEY }, env: { MJ_PROVIDER: 'openai-hk' } });
    try {
      const refused = await hk.command('imagine', { prompt: 'a fox', mode: 'turbo' });
      assert.match(await hk.privateAnswer(refused), /does not offer turbo mode/);
      assert.equal(hk.sim.requestCount('/submit/'), 0);
      const i = await hk.command('imagine', { prompt: 'a fox', mode: 'relax' });
      await hk.untilOriginal(i, isDone, 'the grid');
      assert.equal(hk.sim.requests.find((r) => r.path.endsWith('/submit/imagine'))?.path, '/relax/mj/submit/imagine');
    } finally {
      await hk.stop();
    }
  });
});
