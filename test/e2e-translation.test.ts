import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { LocalInteraction, LocalMessage, LocalUser } from '../src/playground/discord';
import { buttonsOf, embedText, TestWorld } from './support/harness';
import { encodePng } from '../src/simulator';
import { freePort } from './support/ports';
import { bodiesTo, buttonId, hasEnded, isDone, modalInput, waitsForPrompt } from './support/surface';

/**
 * Issue 24: prompts with Chinese words reach Midjourney in English. A new-api reseller sells a chat API under the
 * same key, so its preset translates through the API's own URL: here the simulator's /v1/chat/completions (a phrase
 * book), with the real translator, cache, start path and cards.
 */

const CHAT = '/v1/chat/completions';
const TYPED = 'https://example.com/ref.png 一只戴着围巾的猫，水彩画 --ar 3:2 --chaos 10';
const ENGLISH = 'https://example.com/ref.png a cat wearing a scarf, watercolor painting --ar 3:2 --chaos 10';

/** The card of a start: the interaction's public reply, or (after a choice) the message posted for it. */
const publicCard = (world: TestWorld, interaction: LocalInteraction): LocalMessage | undefined =>
  [world.discord.original(interaction), ...world.discord.followups(interaction)].find((m) => m && !m.deleted && !(m.flags & 64) && /Task \S+/.test(embedText(m)));

/** The private answer with buttons a start stopped at (show me first, a failed translation). */
async function choiceOffered(world: TestWorld, interaction: LocalInteraction): Promise<LocalMessage> {
  return world.discord.waitFor(() => {
    const message = [world.discord.original(interaction), ...world.discord.followups(interaction)].find((m) => m && !m.deleted && m.flags & 64);
    return message && buttonsOf(message).length > 0 ? message : undefined;
  }, 'a private answer with buttons');
}

describe('prompts in other languages (a new-api reseller that sells a chat API)', () => {
  let world: TestWorld;
  let bob: LocalUser;
  before(async () => {
    const port = await freePort();
    world = await TestWorld.start({ simulator: { family: 'reseller' }, env: { MJ_PROVIDER: 'new-api', HTTP_PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
    bob = world.discord.bob;
  });
  after(() => world.stop());
  afterEach(async () => {
    world.sim.clearFaults();
    await world.until(async () => (await world.app.store.coordinator.memberTaskCount(world.discord.guildId, bob.id)) === 0, 'tasks to end', 15_000);
    await world.app.store.translations.clear();
    await world.app.store.prefs.clear();
    await world.clearSettings();
  });

  const imagine = async (prompt: string, by: LocalUser = bob) => world.command('imagine', { prompt }, { user: by });

  test('a Chinese prompt reaches the API in English, link and parameters as typed; the card shows both prompts', async () => {
    const interaction = await imagine(TYPED);
    const card = await world.untilOriginal(interaction, hasEnded, 'the card');
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, ENGLISH);
    const chat = world.sim.requests.filter((r) => r.path === CHAT).at(-1)!;
    assert.equal((chat.body as { messages: Array<{ content: string }> }).messages[1]!.content, '一只戴着围巾的猫，水彩画', 'only the words went to the translator');
    assert.equal(chat.headers.authorization, 'Bearer test-api-key-secret', "the API's own key, as the preset says");
    const text = embedText(card);
    assert.match(text, /一只戴着围巾的猫，水彩画 --ar 3:2 --chaos 10/, 'the prompt as typed');
    assert.ok(text.includes(`Sent as: ${ENGLISH}`), `"Sent as" under it: ${text}`);
    // Its upscale was made from the same English: its card says so too.
    const u1 = world.discord.click(card.id, buttonId(card, 'U1'), { user: bob });
    const upscale = await world.untilOriginal(u1, isDone, 'the upscale');
    assert.match(embedText(upscale), /Sent as: https:\/\/example\.com\/ref\.png a cat wearing a scarf/);
    // A prompt typed into a form is translated the same way.
    const zoom = world.discord.click(upscale.id, buttonId(upscale, 'Custom Zoom'), { user: bob });
    await world.discord.answered(zoom);
    const form = world.discord.submitModal(zoom, { prompt: '一只猫在雪地里 --zoom 1.5' }, { user: bob });
    const zoomed = await world.untilOriginal(form, hasEnded, 'the zoom card', 15_000);
    assert.equal(bodiesTo(world, '/submit/modal').at(-1)?.prompt, 'a cat in the snow --zoom 1.5');
    assert.match(embedText(zoomed), /Sent as: a cat in the snow --zoom 1\.5/);

    // And a prompt typed into the region editor's page (no buttons there: a failure is explained, nothing is sent).
    const picture = await world.discord.download(upscale.attachments[0]!);
    const [width, height] = [picture.readUInt32BE(16), picture.readUInt32BE(20)];
    const pixels = Buffer.alloc(width * height * 4);
    for (let i = 0; i < pixels.length; i += 4) pixels.writeUInt32BE(i < pixels.length / 2 ? 0xffffffff : 0x000000ff, i);
    const mask = `data:image/png;base64,${encodePng(width, height, pixels, 4).toString('base64')}`;
    const editor = async (prompt: string) => {
      const click = world.discord.click(upscale.id, buttonId(upscale, 'Vary (Region)'), { user: bob });
      const link = String((await world.discord.answered(click)).data.components[0].components[0].url);
      return fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt, mask }) });
    };
    world.sim.injectNext({ pathIncludes: CHAT }, { status: 502, body: { error: { message: 'bad gateway' } } });
    const actions = world.sim.requestCount('/submit/action');
    const failed = await editor('一只狗');
    assert.equal(failed.status, 400);
    assert.match(((await failed.json()) as { error: string }).error, /could not be translated to English.*Nothing was sent\. Try again in a moment, or write it in English/);
    assert.equal(world.sim.requestCount('/submit/action'), actions, 'nothing sent');
    assert.equal((await editor('一只狗 戴着帽子')).status, 200);
    await world.until(() => bodiesTo(world, '/submit/modal').at(-1)?.prompt === 'a dog wearing hat', 'the region edit in English');
  });

  test('an English prompt never reaches the translator; a cached translation is not asked for again', async () => {
    const chats = world.sim.requestCount(CHAT);
    await world.untilOriginal(await imagine('a red fox in the snow --ar 3:2'), hasEnded, 'the English card');
    assert.equal(world.sim.requestCount(CHAT), chats, 'no translator call for English');
    assert.doesNotMatch(embedText(await world.untilOriginal(await imagine('a grey wolf'), hasEnded, 'the card')), /Sent as/);

    await world.untilOriginal(await imagine('一只狐狸 --ar 1:1'), hasEnded, 'the first card');
    assert.equal(world.sim.requestCount(CHAT), chats + 1);
    await world.untilOriginal(await imagine('一只狐狸 --ar 16:9'), hasEnded, 'the repeat');
    assert.equal(world.sim.requestCount(CHAT), chats + 1, 'the same words again: remembered, no second call');
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, 'a fox --ar 16:9');
  });

  test('a translator that fails sends nothing and answers privately with Send as typed and Edit', async () => {
    world.sim.injectNext({ pathIncludes: CHAT }, { status: 500, body: { error: { message: 'model overloaded, key test-api-key-secret' } } });
    const submits = world.sim.requestCount('/submit/');
    const interaction = await imagine('一只狗 --ar 2:3');
    const answer = await choiceOffered(world, interaction);
    assert.match(answer.content, /could not be translated to English: the translation service did not answer properly\. Nothing was sent/);
    assert.deepEqual(buttonsOf(answer).map((b) => b.label), ['Send as typed', 'Edit']);
    assert.equal(world.sim.requestCount('/submit/'), submits, 'nothing reached Midjourney');
    assert.equal(world.discord.messagesIn().filter((m) => /一只狗 --ar 2:3/.test(embedText(m))).length, 0, 'no public card');
    assert.doesNotMatch(world.logs.text, /key test-api-key-secret/, 'the service’s words were scrubbed before the log');
    assert.match(world.logs.text, /a prompt could not be translated/);

    // A double click sends it once.
    const [first, second] = [0, 1].map(() => world.discord.click(answer.id, buttonId(answer, 'Send as typed'), { user: bob }));
    await Promise.all([first, second].map((click) => world.discord.answered(click!)));
    const refused = [first!, second!].find((click) => click.callback.type === 4);
    assert.match(String(refused?.callback.data.content), /sent already/, 'one of two clicks is told it was sent already');
    const typed = refused === first ? second! : first!;
    const card = await world.discord.waitFor(() => publicCard(world, typed), 'the card of the prompt as typed');
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, '一只狗 --ar 2:3');
    assert.doesNotMatch(embedText(card), /Sent as/);
    await world.discord.waitFor(() => /Sent as you typed it/.test(world.discord.original(typed)?.content ?? ''), 'the private answer says what was sent');
    assert.deepEqual(world.discord.original(typed)?.components, [], 'its buttons are gone');
    assert.equal(bodiesTo(world, '/submit/imagine').filter((body) => body.prompt === '一只狗 --ar 2:3').length, 1, 'sent once');
    await world.discord.waitFor(() => hasEnded(publicCard(world, typed)!) || undefined, 'the card to end', 15_000);
  });

  test('“show me first” waits for Send; Edit sends what the member wrote; Send as typed sends the Chinese', async () => {
    const panel = await world.command('settings', {}, { user: bob });
    const settings = world.discord.original(panel)!;
    assert.match(settings.content, /Translate my prompts: automatic/);
    const pick = world.discord.select(settings.id, 'mjset:translate', ['ask'], { user: bob });
    await world.discord.answered(pick);
    assert.match(world.discord.original(panel)!.content, /Translate my prompts: show me first/);

    const submits = world.sim.requestCount('/submit/');
    const interaction = await imagine('一只猫 --ar 3:2');
    const offer = await choiceOffered(world, interaction);
    assert.match(offer.content, /would be sent as:\na cat --ar 3:2\nNothing is sent until you choose/);
    assert.deepEqual(buttonsOf(offer).map((b) => b.label), ['Send', 'Edit', 'Send as typed']);
    assert.equal(world.sim.requestCount('/submit/'), submits, 'nothing sent before Send');
    assert.match(await world.privateAnswer(world.discord.click(offer.id, buttonId(offer, 'Send'), { user: world.discord.alice })), /belongs to another member/);

    const send = world.discord.click(offer.id, buttonId(offer, 'Send'), { user: bob });
    const card = await world.discord.waitFor(() => publicCard(world, send), 'the card after Send');
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, 'a cat --ar 3:2');
    assert.match(embedText(card), /\*\*一只猫 --ar 3:2\*\*\nSent as: a cat --ar 3:2/);
    await world.discord.waitFor(() => /✅ Sent\.\nTyped: 一只猫 --ar 3:2\nSent as: a cat --ar 3:2/.test(world.discord.original(send)?.content ?? ''), 'the private confirmation');
    await world.discord.waitFor(() => hasEnded(publicCard(world, send)!) || undefined, 'the card to end', 15_000);

    const second = await choiceOffered(world, await imagine('一只狗'));
    const edit = world.discord.click(second.id, buttonId(second, 'Edit'), { user: bob });
    await world.discord.answered(edit);
    assert.equal(modalInput(edit.callback).value, 'a dog', 'the form holds the English');
    const form = world.discord.submitModal(edit, { prompt: 'a small dog, 水彩' }, { user: bob });
    await world.discord.waitFor(() => publicCard(world, form), 'the card of the edited prompt');
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, 'a small dog, 水彩', 'what the member wrote, not translated again');
    await world.discord.waitFor(() => hasEnded(publicCard(world, form)!) || undefined, 'the card to end', 15_000);

    // The API fails after the click: the private answer says so and keeps its buttons, to try again.
    // CJK only in a parameter's value: nothing to translate, nothing to show first.
    const chats = world.sim.requestCount(CHAT);
    await world.untilOriginal(await imagine('a bird --no 红色'), hasEnded, 'the card sent at once');
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, 'a bird --no 红色');
    assert.equal(world.sim.requestCount(CHAT), chats);

    const third = await choiceOffered(world, await imagine('一只鸟'));
    world.sim.injectNext({ pathIncludes: '/submit/imagine' }, { status: 503, body: { code: 9, description: 'busy' } });
    const failing = world.discord.click(third.id, buttonId(third, 'Send'), { user: bob });
    await world.discord.waitFor(() => /cannot be reached/.test(world.discord.original(failing)?.content ?? ''), 'the failure in the private answer');
    assert.deepEqual(buttonsOf(world.discord.original(failing)!).map((b) => b.label), ['Send', 'Edit', 'Send as typed']);
    const asTyped = world.discord.click(third.id, buttonId(third, 'Send as typed'), { user: bob });
    await world.discord.waitFor(() => publicCard(world, asTyped), 'the card as typed');
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, '一只鸟');
  });

  test('too much text to translate is refused before any call, with the same choice', async () => {
    const chats = world.sim.requestCount(CHAT);
    const answer = await choiceOffered(world, await imagine('猫'.repeat(2_001)));
    assert.match(answer.content, /could not be translated to English: there is too much text to translate at once/);
    assert.equal(world.sim.requestCount(CHAT), chats);
  });

  test('the prompt an account in remix mode waits for is translated; the private confirmation shows both', async () => {
    const grid = await world.untilOriginal(await imagine('a calm lake'), isDone, 'the grid');
    world.sim.configure({ remix: true });
    try {
      const v1 = world.discord.click(grid.id, buttonId(grid, 'V1'), { user: bob });
      const waiting = await world.untilOriginal(v1, waitsForPrompt, 'Edit prompt', 15_000);
      const edit = world.discord.click(waiting.id, buttonId(waiting, 'Edit prompt'), { user: bob });
      await world.discord.answered(edit);
      const sent = world.discord.submitModal(edit, { prompt: '一只猫 戴着帽子' }, { user: bob });
      assert.match(await world.privateAnswer(sent), /Prompt sent\. The card follows the task\.\nTyped: 一只猫 戴着帽子\nSent as: a cat wearing hat/);
      assert.equal(bodiesTo(world, '/submit/modal').at(-1)?.prompt, 'a cat wearing hat');
      assert.match(embedText(await world.untilOriginal(v1, isDone, 'the variation', 15_000)), /一只猫 戴着帽子\*\*\nSent as: a cat wearing hat/);
    } finally {
      world.sim.configure({ remix: false });
    }
  });

  test('“never”, and /admin translate off, send the prompt as typed without asking the translator', async () => {
    const chats = world.sim.requestCount(CHAT);
    const alice = world.discord.alice;
    const off = await world.command('admin', { subcommand: 'translate', value: 'off' }, { user: alice });
    assert.match(await world.privateAnswer(off), /nothing is translated/);
    const show = await world.command('admin', { subcommand: 'show' }, { user: alice });
    assert.match(await world.privateAnswer(show), /Translation: off/);
    await world.untilOriginal(await imagine('一只龙'), hasEnded, 'the card');
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, '一只龙');
    const on = await world.command('admin', { subcommand: 'translate', value: 'on' }, { user: alice });
    assert.match(await world.privateAnswer(on), /translated to English \(gpt-4o-mini\)/);

    const panel = await world.command('settings', {}, { user: bob });
    await world.discord.answered(world.discord.select(world.discord.original(panel)!.id, 'mjset:translate', ['never'], { user: bob }));
    await world.untilOriginal(await imagine('一只鱼'), hasEnded, 'the card');
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, '一只鱼');
    assert.equal(world.sim.requestCount(CHAT), chats, 'the translator was never asked');
  });

  test('the /prefer suffix is translated when it is applied', async () => {
    const suffix = await world.command('prefer', { subcommand: 'suffix', text: '水彩画 --chaos 5' }, { user: bob });
    assert.match(await world.privateAnswer(suffix), /Your suffix is now/);
    const interaction = await imagine('a fox --ar 3:2');
    const card = await world.untilOriginal(interaction, hasEnded, 'the card');
    assert.equal(bodiesTo(world, '/submit/imagine').at(-1)?.prompt, 'a fox watercolor painting --ar 3:2 --chaos 5');
    assert.match(embedText(card), /\*\*a fox 水彩画 --ar 3:2 --chaos 5\*\*\nSent as: a fox watercolor painting --ar 3:2 --chaos 5/);
  });
});
