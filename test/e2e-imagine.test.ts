import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LocalInteraction, LocalMessage } from '../src/playground/discord';
import { findButtonTarget } from '../src/tasks/button-targets';
import { buttonsOf, embedText, isFinished, TestWorld } from './support/harness';

const percentShown = (m: LocalMessage) => /\b\d{1,3}%/.test(embedText(m));
const buttonLabelled = (message: LocalMessage, label: string) => {
  const button = buttonsOf(message).find((b) => (b.label ?? b.emoji?.name) === label);
  assert.ok(button?.custom_id, `a button labelled ${label} in ${buttonsOf(message).map((b) => b.label ?? b.emoji?.name)}`);
  return button.custom_id;
};

describe('/imagine end to end (real Client, local Discord, simulator)', () => {
  let world: TestWorld;
  let imagine: LocalInteraction;
  let grid: LocalMessage;
  before(async () => {
    world = await TestWorld.start();
  });
  after(() => world.stop());

  test('defers at once, shows progress with a preview, ends with the image attached and 9 buttons', async () => {
    imagine = await world.command('imagine', { prompt: 'a lighthouse at dusk --ar 3:2' });
    assert.equal(imagine.callback.type, 5, 'the command is deferred at once');
    assert.ok(imagine.callbackAt! - imagine.createdAt < 3_000);

    const running = await world.untilOriginal(imagine, percentShown, 'a progress edit');
    assert.match(embedText(running), /a lighthouse at dusk/);
    assert.match(String((running.embeds[0] as any).image?.url), /^http:\/\/127\.0\.0\.1:\d+\/images\//, 'the preview is shown while running');

    grid = await world.untilOriginal(imagine, isFinished, 'the final card');
    assert.equal(grid.attachments.length, 1);
    assert.equal(grid.attachments[0]!.content_type, 'image/png');
    const png = await world.discord.download(grid.attachments[0]!);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG', 'the final image is a real PNG uploaded to Discord');
    assert.equal((grid.embeds[0] as any).image?.url, `attachment://${grid.attachments[0]!.filename}`);

    const buttons = buttonsOf(grid);
    for (const label of ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4']) buttonLabelled(grid, label);
    const mjButtons = buttons.filter((b) => b.custom_id?.startsWith('mj:'));
    assert.equal(mjButtons.length, 9, `9 task buttons (U1–U4, reroll, V1–V4), got ${buttons.map((b) => b.label ?? b.emoji?.name)}`);
    for (const row of grid.components as any[]) assert.ok(row.components.length <= 5, 'at most 5 buttons per row');
    for (const b of buttons) assert.ok((b.custom_id ?? '').length <= 100);
  });

  test('progress edits happen only when what the card shows changed', () => {
    const edits = world.discord.calls.filter((c) => c.route === 'PATCH /webhooks/:app/:token/messages/:message' && c.params.token === imagine.token);
    const bodies = edits.map((c) => JSON.stringify(c.body));
    assert.equal(new Set(bodies).size, bodies.length, 'no two identical edits');
    assert.ok(edits.length >= 3 && edits.length <= 12, `a handful of edits, got ${edits.length}`);
  });

  test('a stranger clicking U2 is refused privately, and no action is posted', async () => {
    const before = world.sim.requestCount('/submit/action');
    const click = world.discord.click(grid.id, buttonLabelled(grid, 'U2'), { user: world.discord.bob });
    const answer = await world.privateAnswer(click);
    assert.match(answer, /Only <@\d+>/);
    assert.equal(world.sim.requestCount('/submit/action'), before);
  });

  test('U2 posts the customId verbatim and the upscale gets its own message with its own buttons', async () => {
    const customId = buttonLabelled(grid, 'U2');
    const click = world.discord.click(grid.id, customId);
    await world.discord.answered(click);
    assert.equal(click.callback.type, 5, 'the click is acknowledged within 3 s by a public defer');
    assert.notEqual(click.originalId, grid.id, 'the upscale has a message of its own');

    const action = await world.discord.waitFor(() => world.sim.requests.find((r) => r.path.endsWith('/mj/submit/action')), 'the action request');
    const parentTaskId = /Task (\S+)/.exec(embedText(grid))?.[1];
    const gridTask = [...world.sim.tasks.values()].find((t) => t.action === 'IMAGINE');
    assert.ok(gridTask);
    const u2 = (world.sim.getTask(gridTask.id) as { buttons: Array<{ customId: string; label: string }> }).buttons.find((b) => b.label === 'U2');
    assert.deepEqual(action.body, { ...(action.body as object), taskId: gridTask.id, customId: u2!.customId });
    assert.equal(parentTaskId, gridTask.id);

    const upscale = await world.untilOriginal(click, isFinished, 'the upscale card');
    assert.match(embedText(upscale), /Upscale U2/);
    const labels = buttonsOf(upscale).map((b) => b.label ?? b.emoji?.name ?? '');
    assert.ok(labels.some((l) => /Vary/i.test(l)), `vary buttons on the upscale: ${labels}`);
    assert.ok(labels.some((l) => /Zoom/i.test(l)), `zoom buttons on the upscale: ${labels}`);
    assert.ok(labels.some((l) => /⬅️|⬆️|Pan|←/i.test(l)), `pan buttons on the upscale: ${labels}`);
    assert.ok(labels.every((l) => l && !/upscale_1|^$/.test(l)), `every button readable: ${labels}`);
  });

  test('Vary (Region) without PUBLIC_URL explains privately that an admin has to set it, and posts nothing', async () => {
    const upscale = world.discord.messagesIn().find((m) => /Upscale U2/.test(embedText(m)) && isFinished(m));
    assert.ok(upscale);
    const region = buttonsOf(upscale).find((b) => /Vary \(Region\)/.test(b.label ?? ''));
    assert.ok(region?.custom_id, 'the upscale has a Vary (Region) button');
    const before = world.sim.requestCount('/submit/action');
    const click = world.discord.click(upscale.id, region.custom_id);
    assert.match(await world.privateAnswer(click), /has not set PUBLIC_URL: ask an admin to set it/);
    assert.equal(world.sim.requestCount('/submit/action'), before);
  });

  test('a double click starts one task', async () => {
    const customId = buttonLabelled(grid, 'V1');
    const before = world.sim.requestCount('/submit/action');
    const first = world.discord.click(grid.id, customId);
    const second = world.discord.click(grid.id, customId);
    await world.discord.answered(first);
    await world.discord.answered(second);
    const refused = [first, second].find((i) => i.callback.type === 4);
    assert.ok(refused, 'one of the two clicks is told the variation is on its way');
    assert.match(String(refused.callback.data.content), /already on its way/);
    // The refused click was answered without a submit; the other one's card exists once its submit was answered.
    const started = refused === first ? second : first;
    await world.untilOriginal(started, (m) => /Task \d+/.test(embedText(m)), 'the variation card');
    assert.equal(world.sim.requestCount('/submit/action'), before + 1, 'exactly one action posted');
  });

  test('the store maps each message to its task and each short button key to the MJ customId', async () => {
    const key = buttonLabelled(grid, 'U3');
    const target = await findButtonTarget(world.app.store, key);
    assert.ok(target);
    assert.equal(await world.app.store.messages.get(grid.id), target.taskId, 'the message maps to its task');
    assert.deepEqual(target.action, { kind: 'upscale', index: 3 }, 'the parsed action is kept');
    assert.match(target.customId, /^MJ::JOB::upsample::3::/);
    assert.ok(target.customId.length > key.length);
  });
});

describe('/imagine failures', () => {
  let world: TestWorld;
  before(async () => {
    world = await TestWorld.start({ store: 'memory' });
  });
  after(() => world.stop());

  test('an empty prompt is refused privately without an API call', async () => {
    const before = world.sim.requestCount('/submit/imagine');
    const interaction = await world.command('imagine', { prompt: '   ' });
    assert.match(await world.privateAnswer(interaction), /prompt/i);
    assert.equal(world.sim.requestCount('/submit/imagine'), before);
  });

  test('a banned prompt (code 24) names the banned word, and the public placeholder is removed', async () => {
    world.sim.injectNext(
      { pathIncludes: '/submit/imagine' },
      { status: 200, body: { code: 24, description: '可能包含敏感词', properties: { promptEn: 'a nasty prompt', bannedWord: 'nasty' }, result: null } },
    );
    const interaction = await world.command('imagine', { prompt: 'a nasty prompt' });
    const answer = await world.privateAnswer(interaction);
    assert.match(answer, /nasty/);
    assert.equal(world.discord.original(interaction)?.deleted, true);
  });

  test('a task the API fails shows the reason in English on the card', async () => {
    const interaction = await world.command('imagine', { prompt: 'a badword in a prompt' });
    const failed = await world.untilOriginal(interaction, (m) => /Failed/.test(embedText(m)), 'the failed card');
    assert.match(embedText(failed), /banned word/);
    assert.equal(failed.components.length, 0);
  });

  test('a queue-full answer (code 23) says the service is busy', async () => {
    world.sim.injectNext({ pathIncludes: '/submit/imagine' }, { status: 200, body: { code: 23, description: '队列已满，请稍后尝试', result: null } });
    const interaction = await world.command('imagine', { prompt: 'a cat' });
    assert.match(await world.privateAnswer(interaction), /The Midjourney queue is full right now/);
  });

  test('a 401 from the API tells the member the bot is misconfigured and logs a hint, without the key', async () => {
    world.sim.injectNext({ pathIncludes: '/submit/imagine' }, { status: 401, body: { message: 'Unauthorized' } });
    const interaction = await world.command('imagine', { prompt: 'a cat' });
    assert.match(await world.privateAnswer(interaction), /misconfigured|configur/i);
    assert.ok(world.logs.lines.some((l) => /MJ_API_KEY/.test(String(l.msg))), 'a hint for the admin in the log');
    assert.ok(!world.logs.text.includes('test-api-key-secret'), 'the API key never reaches the log');
    assert.ok(!world.logs.text.includes(world.discord.botToken), 'the Discord token never reaches the log');
  });

  test('a garbage API answer is a short generic message, and the bot keeps serving', async () => {
    world.sim.injectNext({ pathIncludes: '/submit/imagine' }, { status: 200, rawBody: '<html>oops</html>' });
    const broken = await world.command('imagine', { prompt: 'a cat' });
    const answer = await world.privateAnswer(broken);
    assert.doesNotMatch(answer, /<html>|at .*\.ts:\d+|\{"/);
    const next = await world.command('imagine', { prompt: 'a dog' });
    await world.untilOriginal(next, isFinished, 'the next task to finish');
  });

  test('submit code 22 shows the queue position', async () => {
    world.sim.configure({ queueFullAfter: 0, queueSize: 10 });
    try {
      // The first waits with whatever is in flight ahead of it; the second has at least the first ahead.
      await world.command('imagine', { prompt: 'a cat ahead' });
      const interaction = await world.command('imagine', { prompt: 'a cat behind' });
      const card = await world.untilOriginal(interaction, (m) => /Status: ⏳ Queued, position [1-9]\d*/.test(embedText(m)), 'the queue position on the status line');
      assert.doesNotMatch(embedText(card), /Waiting to start/);
    } finally {
      world.sim.configure({ queueFullAfter: Infinity, queueSize: Infinity });
    }
  });
});
