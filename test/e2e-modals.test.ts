import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { embedText, TestWorld } from './support/harness';
import { bodiesTo, buttonId, image, isDone, modalInput, waitsForPrompt } from './support/surface';

const taskIdOf = (text: string) => /Task (\d+)/.exec(text)?.[1];

/** Prompts typed into Discord modals: remix "Edit prompt", strangers, double submits, transient failures, timeouts. */
describe('modal flows (trueai, remix mode)', () => {
  let world: TestWorld;
  before(async () => {
    world = await TestWorld.start({ env: { TASK_TIMEOUT_MS: '60000' }, simulator: { remix: true } });
  });
  after(() => world.stop());

  test('V1 in remix mode: the card asks for the prompt; only its owner may edit it; the prompt is sent once', async () => {
    const i = await world.command('imagine', { prompt: 'a cat' });
    const grid = await world.untilOriginal(i, isDone, 'the grid');
    const v1 = world.discord.click(grid.id, buttonId(grid, 'V1'));
    const waiting = await world.untilOriginal(v1, waitsForPrompt, 'the Edit prompt button');
    assert.match(embedText(waiting), /waits for your prompt/);
    const taskId = taskIdOf(embedText(waiting))!;

    const stranger = world.discord.click(waiting.id, buttonId(waiting, 'Edit prompt'), { user: world.discord.bob });
    assert.match(await world.privateAnswer(stranger), /Only <@\d+>, who started this task/);

    const edit = world.discord.click(waiting.id, buttonId(waiting, 'Edit prompt'));
    await world.discord.answered(edit);
    assert.equal(modalInput(edit.callback).value, 'a cat');
    const submit = world.discord.submitModal(edit, { prompt: 'a cat in a hat' });
    assert.match(await world.privateAnswer(submit), /Prompt sent/);
    assert.deepEqual(bodiesTo(world, '/submit/modal').map((b) => [b.taskId, b.prompt]), [[taskId, 'a cat in a hat']]);

    const again = world.discord.submitModal(edit, { prompt: 'a cat in a boot' });
    assert.match(await world.privateAnswer(again), /already sent/);
    const done = await world.untilOriginal(v1, isDone, 'the variation to finish', 15_000);
    assert.match(embedText(done), /a cat in a hat/);
    assert.equal(bodiesTo(world, '/submit/modal').length, 1, 'the second submit made no call');
  });

  test('rerolls and pans in remix mode ask for the prompt the same way', async () => {
    const i = await world.command('imagine', { prompt: 'a harbour' });
    const grid = await world.untilOriginal(i, isDone, 'the grid');
    const u1 = world.discord.click(grid.id, buttonId(grid, 'U1'));
    const upscaled = await world.untilOriginal(u1, isDone, 'the upscale');
    for (const [card, label, prompt] of [[grid, '🔄', 'a harbour at night'], [upscaled, '⬅️', 'a harbour, wider']] as const) {
      const click = world.discord.click(card.id, buttonId(card, label));
      const waiting = await world.untilOriginal(click, waitsForPrompt, `Edit prompt after ${label}`);
      const edit = world.discord.click(waiting.id, buttonId(waiting, 'Edit prompt'));
      await world.discord.answered(edit);
      assert.match(await world.privateAnswer(world.discord.submitModal(edit, { prompt })), /Prompt sent/);
      const done = await world.untilOriginal(click, isDone, `the ${label} result`, 15_000);
      assert.match(embedText(done), new RegExp(prompt));
      assert.equal(bodiesTo(world, '/submit/modal').at(-1)?.taskId, taskIdOf(embedText(done)));
    }
  });

  test('a stranger can neither open nor submit the prompt modal of someone else’s describe', async () => {
    const i = await world.command('describe', { link: 'https://example.com/fox.png' });
    const card = await world.untilOriginal(i, isDone, 'the describe card');
    const actions = world.sim.requestCount('/submit/action');

    const strangerClick = world.discord.click(card.id, buttonId(card, '1️⃣'), { user: world.discord.bob });
    assert.match(await world.privateAnswer(strangerClick), /Only <@\d+>, who asked for this/);

    const click = world.discord.click(card.id, buttonId(card, '1️⃣'));
    await world.discord.answered(click);
    const forged = world.discord.submitModal(click, {}, { user: world.discord.bob });
    assert.match(await world.privateAnswer(forged), /Only <@\d+>, who asked for this result/);
    assert.equal(world.sim.requestCount('/submit/action'), actions, 'no action was posted for the stranger');
  });

  test('the same modal submitted twice, at once or just after, starts one task', async () => {
    const i = await world.command('describe', { link: 'https://example.com/owl.png' });
    const card = await world.untilOriginal(i, isDone, 'the describe card');
    const actions = world.sim.requestCount('/submit/action');
    const click = world.discord.click(card.id, buttonId(card, '3️⃣'));
    await world.discord.answered(click);
    const both = [world.discord.submitModal(click, {}), world.discord.submitModal(click, {})];
    const refused = await world.discord.waitFor(
      () => both.find((s) => [world.discord.original(s), ...world.discord.followups(s)].some((m) => m && m.flags & 64 && /already on its way/.test(m.content))),
      'one of the two submits to be refused',
    );
    const started = both.find((s) => s !== refused)!;
    const result = await world.untilOriginal(started, isDone, 'the one imagine', 15_000);
    const late = world.discord.submitModal(click, {});
    const answer = await world.privateAnswer(late);
    assert.match(answer, /already on its way/);
    assert.ok(answer.includes(result.id), `the refusal links the card: ${answer}`);
    assert.equal(world.sim.requestCount('/submit/action'), actions + 1);
  });

  test('a transient failure of /submit/modal leaves a card with Edit prompt, which then sends it', async () => {
    const i = await world.command('describe', { link: 'https://example.com/heron.png' });
    const card = await world.untilOriginal(i, isDone, 'the describe card');
    const click = world.discord.click(card.id, buttonId(card, '1️⃣'));
    await world.discord.answered(click);
    world.sim.injectNext({ pathIncludes: '/submit/modal' }, { status: 503, body: { error: 'down' } });
    const submit = world.discord.submitModal(click, {});
    const waiting = await world.untilOriginal(submit, waitsForPrompt, 'the Edit prompt fallback');
    const edit = world.discord.click(waiting.id, buttonId(waiting, 'Edit prompt'));
    await world.discord.answered(edit);
    const resend = world.discord.submitModal(edit, {});
    assert.match(await world.privateAnswer(resend), /Prompt sent/);
    await world.untilOriginal(submit, isDone, 'the imagine after the resend', 15_000);
  });

  test('waiting for a prompt is not the API being slow: the timeout counts from when the prompt is sent', async () => {
    const i = await world.command('imagine', { prompt: 'a dog' });
    const grid = await world.untilOriginal(i, isDone, 'the grid');
    const v2 = world.discord.click(grid.id, buttonId(grid, 'V2'));
    const waiting = await world.untilOriginal(v2, waitsForPrompt, 'the Edit prompt button');
    world.clock.advance(45_000);
    const edit = world.discord.click(waiting.id, buttonId(waiting, 'Edit prompt'));
    await world.discord.answered(edit);
    assert.match(await world.privateAnswer(world.discord.submitModal(edit, { prompt: 'a dog on a skateboard' })), /Prompt sent/);
    await world.untilOriginal(v2, (m) => !waitsForPrompt(m), 'the card to leave the prompt wait');
    world.clock.advance(45_000); // 90 s after the click, 45 s after the prompt: inside the 60 s timeout
    const done = await world.untilOriginal(v2, (m) => /✅ Done|❌/.test(embedText(m)), 'the variation to end', 15_000);
    assert.match(embedText(done), /✅ Done/);
  });

  test('a prompt never sent ends the task after the timeout, with a reason that says so', async () => {
    const i = await world.command('imagine', { prompt: 'a bird' });
    const grid = await world.untilOriginal(i, isDone, 'the grid');
    const v3 = world.discord.click(grid.id, buttonId(grid, 'V3'));
    await world.untilOriginal(v3, waitsForPrompt, 'the Edit prompt button');
    world.clock.advance(61_000);
    const ended = await world.untilOriginal(v3, (m) => /❌/.test(embedText(m)), 'the wait to end');
    assert.match(embedText(ended), /No prompt was sent within 1 min/);
  });
});

describe('remix behind new-api (code 21 arrives as 1)', () => {
  let world: TestWorld;
  before(async () => {
    world = await TestWorld.start({ simulator: { family: 'reseller', remix: true }, env: { MJ_PROVIDER: 'new-api' } });
  });
  after(() => world.stop());

  test('a MODAL the bot only learns of by polling still gets Edit prompt', async () => {
    const i = await world.command('imagine', { prompt: 'a cat' });
    const grid = await world.untilOriginal(i, isDone, 'the grid');
    // The check at click time finds nothing: only the poll that follows sees the task in MODAL.
    world.sim.injectNext({ pathIncludes: '/fetch' }, { status: 404, body: { code: 3, description: 'task_no_found' } });
    const v1 = world.discord.click(grid.id, buttonId(grid, 'V1'));
    const waiting = await world.untilOriginal(v1, waitsForPrompt, 'Edit prompt after a late MODAL');
    const edit = world.discord.click(waiting.id, buttonId(waiting, 'Edit prompt'));
    await world.discord.answered(edit);
    assert.match(await world.privateAnswer(world.discord.submitModal(edit, { prompt: 'a cat in a hat' })), /Prompt sent/);
    const done = await world.untilOriginal(v1, isDone, 'the variation', 15_000);
    assert.match(embedText(done), /a cat in a hat/);
  });

  test('PicReader on a reseller becomes a plain imagine of the chosen prompt', async () => {
    const i = await world.command('describe', { image: image(world, 1) });
    const card = await world.untilOriginal(i, isDone, 'the describe card');
    const actions = world.sim.requestCount('/submit/action');
    const click = world.discord.click(card.id, buttonId(card, '4️⃣'));
    await world.discord.answered(click);
    const prompt = modalInput(click.callback).value!;
    await world.untilOriginal(world.discord.submitModal(click, {}), isDone, 'the imagine', 15_000);
    assert.equal(world.sim.requestCount('/submit/action'), actions, 'resellers refuse PicReader actions: none was sent');
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, prompt);
  });
});
