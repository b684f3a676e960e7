import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LocalMessage } from '../src/playground/discord';
import { buttonsOf, embedText, TestWorld } from './support/harness';
import { bodiesTo, buttonId, hasEnded, image, isDone, labels, modalInput } from './support/surface';

/** Every slash command of issue 3 through the real Client, the local Discord and the simulator (trueai family). */
describe('every command end to end', () => {
  let world: TestWorld;
  before(async () => {
    world = await TestWorld.start({ env: { MJ_PROVIDER: 'trueai' } });
  });
  after(() => world.stop());

  test('/blend sends the images as data URLs and the dimensions as the API spells them; the grid gets its buttons and Seed', async () => {
    const i = await world.command('blend', { image1: image(world, 1), image2: image(world, 2), image3: image(world, 3), dimensions: 'landscape' });
    const card = await world.untilOriginal(i, isDone, 'the blend card to finish');
    const [body] = bodiesTo(world, '/submit/blend');
    assert.equal(body?.dimensions, 'LANDSCAPE');
    const images = body?.base64Array as string[];
    assert.equal(images.length, 3);
    assert.ok(images.every((url) => url.startsWith('data:image/png;base64,')), 'every image is a data URL');
    assert.match(embedText(card), /Blend of 3 images/);
    assert.equal(card.attachments.length, 1);
    assert.deepEqual(labels(card), ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4', 'Seed', '0'], '⭐ shows its count: 0');
  });

  test('/imagine takes a reference image and a speed mode (trueai: the mode goes into the path)', async () => {
    const i = await world.command('imagine', { prompt: 'a lighthouse at dusk', image: image(world, 4), mode: 'relax' });
    await world.untilOriginal(i, isDone, 'the imagine card to finish');
    const request = world.sim.requests.find((r) => r.path.endsWith('/submit/imagine'));
    assert.equal(request?.path, '/mj-relax/mj/submit/imagine');
    const body = request?.body as { prompt: string; base64Array: string[] };
    assert.equal(body.prompt, 'a lighthouse at dusk');
    assert.equal(body.base64Array.length, 1);
    assert.ok(body.base64Array[0]!.startsWith('data:image/png;base64,'));
  });

  let describeCard: LocalMessage;
  test('/describe shows the four prompts; PicReader 2 opens a prefilled modal whose submit posts action, then modal', async () => {
    const i = await world.command('describe', { image: image(world, 5) });
    describeCard = await world.untilOriginal(i, isDone, 'the describe card to finish');
    const text = embedText(describeCard);
    for (const n of [1, 2, 3, 4]) assert.match(text, new RegExp(`Prompt ${n}: \\S`));
    assert.deepEqual(labels(describeCard), ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '🔄', 'Imagine all']);
    assert.ok(String(bodiesTo(world, '/submit/describe')[0]?.base64).startsWith('data:image/png;base64,'));

    const click = world.discord.click(describeCard.id, buttonId(describeCard, '2️⃣'));
    await world.discord.answered(click);
    const input = modalInput(click.callback);
    const second = /Prompt 2: (.+)/.exec(text)![1]!;
    assert.equal(input.value, second, 'the modal opens with the second prompt');

    const actionsBefore = bodiesTo(world, '/submit/action').length;
    const submit = world.discord.submitModal(click, { prompt: `${input.value} with fireflies` });
    const card = await world.untilOriginal(submit, isDone, 'the imagine started from the modal', 15_000);
    const action = bodiesTo(world, '/submit/action')[actionsBefore]!;
    assert.equal(action.customId, 'MJ::Job::PicReader::2');
    assert.equal(action.taskId, /Task (\d+)/.exec(text)![1]);
    const modal = bodiesTo(world, '/submit/modal').at(-1)!;
    assert.equal(modal.prompt, `${second} with fireflies`);
    assert.match(embedText(card), new RegExp(`Task ${modal.taskId}`), 'the card follows the task the modal confirmed');
    assert.match(embedText(card), /with fireflies/);
  });

  test('/describe by link sends the link; retry describes again; Imagine all starts one card per prompt', async () => {
    const i = await world.command('describe', { link: 'https://example.com/fox.png' });
    const card = await world.untilOriginal(i, isDone, 'the describe-by-link card');
    assert.equal(bodiesTo(world, '/submit/describe').at(-1)?.link, 'https://example.com/fox.png');

    const retry = world.discord.click(card.id, buttonId(card, '🔄'));
    const again = await world.untilOriginal(retry, isDone, 'the describe retry', 15_000);
    assert.match(String(bodiesTo(world, '/submit/action').at(-1)?.customId), /^MJ::Picread::Retry/);
    assert.match(embedText(again), /Prompt 4: \S/);

    const click = world.discord.click(card.id, buttonId(card, 'Imagine all'));
    await world.discord.answered(click);
    await world.untilOriginal(click, isDone, 'the first imagine of Imagine all', 15_000);
    const more = await world.discord.waitFor(() => {
      const done = world.discord.followups(click).filter(isDone);
      return done.length === 3 ? done : undefined;
    }, 'three more finished cards', 15_000);
    assert.deepEqual(more.map((m) => embedText(m).split('\n')[0]), [2, 3, 4].map((n) => `Imagine prompt ${n} (describe)`));
  });

  test('/shorten shows the tokens and five prompts; PromptAnalyzer 3 and Show Details work', async () => {
    const prompt = 'a very long prompt about a red fox in the snow with many words --ar 3:2';
    const i = await world.command('shorten', { prompt });
    const card = await world.untilOriginal(i, isDone, 'the shorten card');
    assert.equal(bodiesTo(world, '/submit/shorten').at(-1)?.prompt, prompt);
    const text = embedText(card);
    assert.match(text, /Important tokens: .*fox/);
    for (const n of [1, 2, 3, 4, 5]) assert.match(text, new RegExp(`Prompt ${n}: \\S`));
    assert.deepEqual(labels(card), ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣', 'Show Details']);

    const click = world.discord.click(card.id, buttonId(card, '3️⃣'));
    await world.discord.answered(click);
    const third = /Prompt 3: (.+)/.exec(text)![1]!;
    assert.equal(modalInput(click.callback).value, third);
    const submit = world.discord.submitModal(click, {});
    await world.untilOriginal(submit, isDone, 'the imagine of prompt 3', 15_000);
    assert.match(String(bodiesTo(world, '/submit/action').at(-1)?.customId), /^MJ::Job::PromptAnalyzer::.*::3$/);
    assert.equal(bodiesTo(world, '/submit/modal').at(-1)?.prompt, third, 'the prefilled prompt is sent unchanged');

    const details = world.discord.click(card.id, buttonId(card, 'Show Details'));
    const detailCard = await world.untilOriginal(details, isDone, 'the details card', 15_000);
    assert.match(embedText(detailCard), /Details: .*fox: \d/s);
  });

  test('/video with hd and motion sends the 720p type; videos are attached or linked, and upscaling a video works', async () => {
    world.sim.configure({ videoBytes: 3 * 1024 * 1024 });
    const i = await world.command('video', { prompt: 'the fox runs', image: image(world, 7), motion: 'high', hd: true });
    const card = await world.untilOriginal(i, isDone, 'the video card');
    const body = bodiesTo(world, '/submit/video').at(-1)!;
    assert.equal(body.videoType, 'vid_1.1_i2v_720');
    assert.equal(body.motion, 'high');
    assert.ok(String(body.image).startsWith('data:image/png;base64,'));
    // Four 3 MB videos: three fit in Discord's 10 MB, the fourth is linked.
    assert.equal(card.attachments.length, 3);
    assert.ok(card.attachments.every((a) => a.filename.endsWith('.mp4')));
    assert.match(embedText(card), /\[Video 4\]\(http:\/\/127\.0\.0\.1:\d+\/videos\/\d+\/0_3\.mp4\)/);
    assert.deepEqual(labels(card), ['U1', 'U2', 'U3', 'U4', '🔄', '0'], 'the video card shows its picture: ⭐');

    const upscale = world.discord.click(card.id, buttonId(card, 'U2'));
    const upscaled = await world.untilOriginal(upscale, isDone, 'the video upscale', 15_000);
    assert.equal(upscaled.attachments.length, 1);
    assert.ok(labels(upscaled).some((l) => /^Extend/.test(l)), `extend buttons in ${labels(upscaled)}`);
    const extend = world.discord.click(upscaled.id, buttonId(upscaled, 'Extend (High motion)'));
    const extended = await world.untilOriginal(extend, isDone, 'the extended video', 15_000);
    assert.match(String(bodiesTo(world, '/submit/action').at(-1)?.customId), /animate_high_extend/);
    assert.ok(extended.attachments.length > 0 && extended.attachments.every((a) => a.filename.endsWith('.mp4')));
    world.sim.configure({ videoBytes: 4096 });
  });

  test('/video without hd sends the default 480p type and a link as the first frame', async () => {
    const i = await world.command('video', { prompt: 'waves', link: 'https://example.com/sea.png' });
    await world.untilOriginal(i, isDone, 'the 480p video');
    const body = bodiesTo(world, '/submit/video').at(-1)!;
    assert.equal(body.videoType, 'vid_1.1_i2v_480');
    assert.equal(body.motion, 'low');
    assert.equal(body.image, 'https://example.com/sea.png');
  });

  test('/edit shows the images of imageUrls', async () => {
    const i = await world.command('edit', { prompt: 'make it night', image: image(world, 8) });
    const card = await world.untilOriginal(i, hasEnded, 'the edit card');
    assert.match(embedText(card), /✅ Done/);
    assert.equal(bodiesTo(world, '/submit/edits').at(-1)?.prompt, 'make it night');
    assert.equal(card.attachments.length, 4);
  });

  test('/swapface posts both faces to /mj/insight-face/swap and attaches the result', async () => {
    const i = await world.command('swapface', { source: image(world, 9), target: image(world, 10) });
    const card = await world.untilOriginal(i, hasEnded, 'the face swap card');
    assert.match(embedText(card), /✅ Done/);
    const body = bodiesTo(world, '/insight-face/swap').at(-1)!;
    assert.ok(String(body.sourceBase64).startsWith('data:image/png;base64,'));
    assert.ok(String(body.targetBase64).startsWith('data:image/png;base64,'));
    assert.equal(card.attachments.length, 1);
  });

  test('Seed answers privately with the seed from /image-seed', async () => {
    const i = await world.command('imagine', { prompt: 'a fox' });
    const grid = await world.untilOriginal(i, isDone, 'the grid');
    const taskId = /Task (\d+)/.exec(embedText(grid))![1]!;
    const click = world.discord.click(grid.id, buttonId(grid, 'Seed'));
    const answer = await world.privateAnswer(click);
    const seedRequest = world.sim.requests.find((r) => r.path.endsWith(`/task/${taskId}/image-seed`));
    assert.ok(seedRequest, 'the seed was asked of the API');
    const seed = /\*\*(\d+)\*\*/.exec(answer)?.[1];
    assert.ok(seed, `a seed in “${answer}”`);
    assert.match(answer, new RegExp(`--seed ${seed}`));
  });

  test('Custom Zoom opens a modal with --zoom 2; a factor outside 1–2 is refused without a call, a good one is sent', async () => {
    const i = await world.command('imagine', { prompt: 'a fox --ar 1:1' });
    const grid = await world.untilOriginal(i, isDone, 'the grid');
    const u1 = world.discord.click(grid.id, buttonId(grid, 'U1'));
    const upscaled = await world.untilOriginal(u1, isDone, 'the upscale');
    assert.ok(labels(upscaled).includes('Custom Zoom'));

    const zoom = world.discord.click(upscaled.id, buttonId(upscaled, 'Custom Zoom'));
    await world.discord.answered(zoom);
    assert.equal(modalInput(zoom.callback).value, 'a fox --ar 1:1 --zoom 2');
    const actions = world.sim.requestCount('/submit/action');
    const bad = world.discord.submitModal(zoom, { prompt: 'a fox --zoom 3' });
    assert.match(await world.privateAnswer(bad), /between 1 and 2/);
    const missing = world.discord.submitModal(zoom, { prompt: 'a fox' });
    assert.match(await world.privateAnswer(missing), /--zoom/);
    assert.equal(world.sim.requestCount('/submit/action'), actions, 'no API call for a bad zoom');

    const again = world.discord.click(upscaled.id, buttonId(upscaled, 'Custom Zoom'));
    await world.discord.answered(again);
    const good = world.discord.submitModal(again, { prompt: 'a fox --zoom 1.5' });
    const zoomed = await world.untilOriginal(good, isDone, 'the custom zoom', 15_000);
    assert.match(String(bodiesTo(world, '/submit/action').at(-1)?.customId), /^MJ::CustomZoom::/);
    assert.equal(bodiesTo(world, '/submit/modal').at(-1)?.prompt, 'a fox --zoom 1.5');
    assert.match(embedText(zoomed), /^Custom Zoom/);
  });

  test('link buttons never appear and no card has more than 25 buttons', () => {
    for (const message of world.discord.messagesIn()) {
      const buttons = buttonsOf(message);
      assert.ok(buttons.length <= 25, `${buttons.length} buttons on ${message.id}`);
      assert.ok(buttons.every((b) => b.style !== 5 && !b.url), 'no link buttons');
      assert.ok(message.components.length <= 5);
    }
  });
});
