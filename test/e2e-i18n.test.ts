import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { commands as allCommands } from '../commands';
import { deployCommands } from '../src/discord/deploy';
import type { LocalInteraction, LocalMessage, LocalUser } from '../src/playground/discord';
import { user } from '../src/playground/discord/world';
import { buttonsOf, embedText, TestWorld } from './support/harness';
import { bodiesTo, buttonId, image, isDone } from './support/surface';

/** Issue 13: English and Simplified Chinese, /settings and /prefer suffix, through the real client. */

const CHINESE = /[\u4e00-\u9fff]/;
const isDoneZh = (message: LocalMessage) => /✅ 完成/.test(embedText(message)) && message.components.length > 0;

describe('two languages, /settings and /prefer', () => {
  let world: TestWorld;
  let mei: LocalUser;
  let carol: LocalUser;
  before(async () => {
    world = await TestWorld.start();
    mei = { ...user(world.discord.world.ids.next(), 'mei'), locale: 'zh-CN' };
    carol = { ...user(world.discord.world.ids.next(), 'carol'), locale: 'en-GB' };
  });
  after(() => world.stop());
  afterEach(async () => {
    world.discord.setGuildLocale('en-US');
    await world.clearSettings();
    await world.app.store.prefs.clear();
  });

  const privately = async (name: string, options: Record<string, unknown>, by: LocalUser) =>
    world.privateAnswer(await world.command(name, options as never, { user: by }));

  /** Opens `by`'s private /settings panel. */
  const openSettings = async (by: LocalUser): Promise<LocalMessage> => {
    const opened = await world.command('settings', {}, { user: by });
    return world.discord.waitFor(() => world.discord.original(opened), 'the panel');
  };

  /** Runs /imagine and returns the prompt the API received and the finished card. */
  async function imagine(prompt: string, by: LocalUser, done = isDone): Promise<{ sent: string; card: LocalMessage; interaction: LocalInteraction }> {
    const before = bodiesTo(world, '/submit/imagine').length;
    const interaction = await world.command('imagine', { prompt }, { user: by });
    const card = await world.untilOriginal(interaction, done, `/imagine ${prompt} to finish`, 15_000);
    const sent = String(bodiesTo(world, '/submit/imagine')[before]?.prompt);
    return { sent, card, interaction };
  }

  test('deploy-commands registers Chinese descriptions, option names and choices; command names stay as in Midjourney', async () => {
    const { discord } = world;
    await deployCommands({ DISCORD_TOKEN: discord.botToken, DISCORD_APPLICATION_ID: discord.applicationId, DISCORD_API_URL: discord.apiUrl, DISCORD_GUILD_ID: undefined, LOG_LEVEL: 'info' }, allCommands);
    type Registered = { name: string; name_localizations?: Record<string, string>; description: string; description_localizations?: Record<string, string>; options?: Registered[]; choices?: Array<{ name: string; name_localizations?: Record<string, string>; value: string }> };
    const body = discord.calls.filter((c) => c.method === 'PUT').at(-1)!.body as Registered[];
    const names = body.map((c) => c.name);
    assert.ok(names.includes('settings') && names.includes('prefer'), `registered: ${names.join(', ')}`);
    const imagine = body.find((c) => c.name === 'imagine')!;
    assert.equal(imagine.name_localizations, undefined, 'the command is /imagine in every language, as in tutorials');
    assert.match(imagine.description_localizations?.['zh-CN'] ?? '', CHINESE);
    const prompt = imagine.options!.find((o) => o.name === 'prompt')!;
    assert.match(prompt.name_localizations?.['zh-CN'] ?? '', CHINESE, 'the member sees the option in Chinese');
    assert.match(prompt.description_localizations?.['zh-CN'] ?? '', CHINESE);
    const mode = imagine.options!.find((o) => o.name === 'mode')!;
    assert.deepEqual(mode.choices?.map((c) => c.value), ['fast', 'relax', 'turbo'], 'the values the code reads stay English');
    assert.ok(mode.choices?.every((c) => CHINESE.test(c.name_localizations?.['zh-CN'] ?? '')));
    const language = body.find((c) => c.name === 'admin')!.options!.find((o) => o.name === 'language')!;
    assert.deepEqual(language.options![0]!.choices!.map((c) => c.value), ['en', 'zh-CN', 'auto']);
  });

  test('each member reads private answers in their own Discord language, in the same server', async () => {
    const zhBlend = await privately('blend', { image1: image(world, 1) }, mei);
    assert.match(zhBlend, CHINESE);
    assert.match(zhBlend, /image1/, 'still names the option to fill');
    assert.match(await privately('blend', { image1: image(world, 2) }, carol), /Blend needs at least two images/);
    assert.match(await privately('quota', {}, mei), CHINESE);
    assert.match(await privately('quota', {}, carol), /^Today: 0 of 25 tasks used/);
    assert.match(await privately('imagine', { prompt: '   ' }, mei), CHINESE);
    assert.doesNotMatch(await privately('imagine', { prompt: '   ' }, carol), CHINESE);
  });

  test('cards follow the server’s language, /admin language overrides it, /task answers in the asker’s language', async () => {
    world.discord.setGuildLocale('zh-CN');
    const { card } = await imagine('a red fox', world.discord.bob, isDoneZh);
    const text = embedText(card);
    assert.match(text, /✅ 完成/);
    const id = /任务 (\d+)/.exec(text)?.[1];
    assert.ok(id, `a Chinese footer in ${text}`);
    assert.ok(['U1', 'V1'].every((label) => buttonsOf(card).some((b) => b.label === label)), 'Midjourney’s own button labels stay');

    const task = await world.command('task', { id: `任务 ${id}` }, { user: carol });
    const preview = await world.discord.waitFor(() => {
      const message = world.discord.original(task);
      return message && message.embeds.length > 0 ? message : undefined;
    }, 'the /task answer');
    assert.match(embedText(preview), /✅ Done/);
    assert.match(embedText(preview), new RegExp(`Task ${id}`));

    const alice = world.discord.alice;
    assert.match(await privately('admin', { subcommand: 'language', value: 'en' }, alice), /Cards in this server are now in English/);
    assert.match(await privately('admin', { subcommand: 'show' }, alice), /Language of cards: English/);
    assert.match(embedText((await imagine('a grey wolf', world.discord.bob)).card), /✅ Done/);
    assert.match(await privately('admin', { subcommand: 'language', value: 'zh-CN' }, { ...alice, locale: 'zh-CN' }), /卡片现在使用简体中文/);
    assert.match(await privately('admin', { subcommand: 'language', value: 'auto' }, alice), /now: Simplified Chinese/);
    assert.match(await privately('admin', { subcommand: 'show' }, alice), /Language of cards: auto \(Simplified Chinese/);
  });

  test('/settings: the private panel changes what is sent, the prompt’s own parameters win, and it survives a restart', async () => {
    const bob = world.discord.bob;
    const panel = await openSettings(bob);
    assert.ok(panel.flags & 64, 'the panel is private');
    assert.match(panel.content, /Model version: Midjourney’s default/);
    const pick = async (customId: string, values?: string[]) => {
      const click = values ? world.discord.select(panel.id, customId, values, { user: bob }) : world.discord.click(panel.id, customId, { user: bob });
      const answer = await world.discord.answered(click);
      assert.equal(answer.type, 7, 'the panel is updated in place');
    };
    await pick('mjset:version', ['6.1']);
    await pick('mjset:stylize', ['250']);
    await pick('mjset:raw');
    await pick('mjset:mode', ['relax']);
    assert.match(panel.content, /Model version: V6\.1/);
    assert.match(panel.content, /Added to your prompts now: `--v 6\.1 --stylize 250 --style raw`/);

    const first = await imagine('a red fox --ar 3:2', bob);
    assert.equal(first.sent, 'a red fox --ar 3:2 --v 6.1 --stylize 250 --style raw --relax');
    assert.match(embedText(first.card), /--stylize 250/, 'the card shows the prompt as sent');
    const own = await imagine('a cat --v 7 --s 50 --fast', bob);
    assert.equal(own.sent, 'a cat --v 7 --s 50 --style raw --fast', 'what the member typed wins');
    assert.equal((await imagine('a dog', carol)).sent, 'a dog', 'another member’s settings are their own');

    await world.restart();
    assert.equal((await imagine('a dog', bob)).sent, 'a dog --v 6.1 --stylize 250 --style raw --relax');
    const reopened = await openSettings(bob);
    const selected = (reopened.components as Array<{ components: Array<{ custom_id: string; options?: Array<{ value: string; default: boolean }> }> }>)
      .flatMap((row) => row.components)
      .flatMap((c) => (c.options ?? []).filter((o) => o.default).map((o) => `${c.custom_id}=${o.value}`));
    assert.deepEqual(selected, ['mjset:version=6.1', 'mjset:stylize=250', 'mjset:mode=relax']);
    const reset = world.discord.click(reopened.id, 'mjset:reset', { user: bob });
    await world.discord.answered(reset);
    assert.equal((await imagine('a dog', bob)).sent, 'a dog');
  });

  test('/settings offers only the speed modes the member’s roles allow', async () => {
    const everyone = { id: world.discord.guildId, type: 8 };
    await privately('admin', { subcommand: 'mode', role: everyone, fastest: 'relax' }, world.discord.alice);
    const panel = await openSettings(world.discord.bob);
    const mode = (panel.components as Array<{ components: Array<{ custom_id: string; options?: Array<{ value: string }> }> }>)
      .flatMap((row) => row.components)
      .find((c) => c.custom_id === 'mjset:mode');
    assert.deepEqual(mode?.options?.map((o) => o.value), ['default', 'relax']);
    assert.match(panel.content, /Your roles allow up to relax/);
  });

  test('/prefer suffix is added to every prompt, is checked like a prompt, and can be removed', async () => {
    const bob = world.discord.bob;
    assert.match(await privately('prefer', { subcommand: 'suffix', text: 'watercolor --ar 16:9 --chaos 10' }, bob), /Your suffix is now `watercolor --ar 16:9 --chaos 10`/);
    assert.equal((await imagine('a red fox', bob)).sent, 'a red fox watercolor --ar 16:9 --chaos 10');
    assert.equal((await imagine('a red fox --ar 1:1', bob)).sent, 'a red fox watercolor --ar 1:1 --chaos 10');
    assert.match(await privately('prefer', { subcommand: 'suffix', text: 'moody --turbo' }, bob), /Speed flags .* do not go in the suffix/);
    await privately('admin', { subcommand: 'words', action: 'add', word: 'gore' }, world.discord.alice);
    assert.match(await privately('prefer', { subcommand: 'suffix', text: 'gore --chaos 5' }, bob), /“gore” is not allowed on this server/);
    assert.match(await privately('prefer', { subcommand: 'suffix', text: '雾气 --chaos 5' }, { ...bob, locale: 'zh-CN' }), /后缀/);
    assert.match(await privately('prefer', { subcommand: 'suffix' }, bob), /Your suffix is removed/);
    assert.equal((await imagine('a red fox', bob)).sent, 'a red fox');
  });

  test('variation strength highlights the matching Vary button on the member’s upscales', async () => {
    const bob = world.discord.bob;
    const panel = await openSettings(bob);
    await world.discord.answered(world.discord.click(panel.id, 'mjset:variation:high', { user: bob }));
    const { card } = await imagine('a red fox', bob);
    const click = world.discord.click(card.id, buttonId(card, 'U1'), { user: bob });
    const upscale = await world.untilOriginal(click, isDone, 'the upscale to finish', 15_000);
    const style = (label: string) => buttonsOf(upscale).find((b) => b.label === label)?.style;
    assert.equal(style('Vary (Strong)'), 1, 'blue');
    assert.equal(style('Vary (Subtle)'), 2, 'grey');
  });
});
