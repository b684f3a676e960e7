import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { commands as allCommands } from '../commands';
import { deployCommands } from '../src/discord/deploy';
import type { LocalInteraction, LocalRole, LocalUser } from '../src/playground/discord';
import { user } from '../src/playground/discord/world';
import { embedText, TestWorld } from './support/harness';
import { bodiesTo, buttonId, hasEnded, image, isDone, modalInput, untilRequests } from './support/surface';

const MANAGE_GUILD = 1n << 5n;

/** Runs a command as `by` and returns its private answer (the text the member reads). */
async function privately(world: TestWorld, name: string, options: Record<string, unknown>, by: LocalUser, channelId?: string): Promise<string> {
  const interaction = await world.command(name, options as never, { user: by, ...(channelId ? { channelId } : {}) });
  return world.privateAnswer(interaction);
}

/** Runs /imagine as `by` and waits until the task is accepted (a public card) or refused (a private answer). */
async function imagine(world: TestWorld, prompt: string, by: LocalUser, extra: Record<string, unknown> = {}, channelId?: string): Promise<{ interaction: LocalInteraction; refusal?: string }> {
  const interaction = await world.command('imagine', { prompt, ...extra } as never, { user: by, ...(channelId ? { channelId } : {}) });
  const outcome = await world.discord.waitFor(() => {
    const original = world.discord.original(interaction);
    if (original && !original.deleted && !(original.flags & 64) && /Task \d+/.test(embedText(original))) return { interaction };
    const refusal = [original, ...world.discord.followups(interaction)].find((m) => m && !m.deleted && m.flags & 64 && m.content)?.content;
    return refusal ? { interaction, refusal } : undefined;
  }, `/imagine ${prompt} accepted or refused`);
  return outcome;
}

const submitsWith = (world: TestWorld, text: string) => bodiesTo(world, '/submit/imagine').filter((b) => String(b.prompt).includes(text));
const untilEnded = (world: TestWorld, interaction: LocalInteraction) => world.untilOriginal(interaction, hasEnded, 'the card to end');

describe('/admin and /quota: who spends the plan', () => {
  let world: TestWorld;
  let bob: LocalUser;
  let carol: LocalUser;
  let patron: LocalRole;
  let mods: LocalRole;
  let everyone: { id: string; type: 8 };
  before(async () => {
    world = await TestWorld.start({ env: { DEFAULT_DAILY_TASKS: '25', DEFAULT_CONCURRENT_TASKS: '2' } });
    bob = world.discord.bob;
    carol = user(world.discord.world.ids.next(), 'carol');
    patron = world.discord.addRole('Patron');
    mods = world.discord.addRole('Mods', MANAGE_GUILD);
    everyone = { id: world.discord.guildId, type: 8 };
  });
  after(() => world.stop());
  afterEach(async () => {
    // Every test starts with no task in flight (so none is counted late), from a server with nothing set.
    const { guildId, alice } = world.discord;
    await world.until(async () => {
      const counts = await Promise.all([alice, bob, carol].map((member) => world.app.store.coordinator.memberTaskCount(guildId, member.id)));
      return counts.every((n) => n === 0);
    }, 'tasks to end', 15_000);
    await world.clearSettings(guildId);
    await world.app.store.counters.clear();
    world.discord.world.memberRoles.clear();
  });

  /** An admin command: roles are passed by id, as Discord sends them. */
  const admin = (sub: string, options: Record<string, unknown> = {}, by: LocalUser = world.discord.alice) =>
    privately(world, 'admin', { subcommand: sub, ...options }, by);

  test('deploy-commands registers /admin for Manage Server only, and /quota for everyone', async () => {
    const config = { DISCORD_TOKEN: world.discord.botToken, DISCORD_APPLICATION_ID: world.discord.applicationId, DISCORD_API_URL: world.discord.apiUrl, DISCORD_GUILD_ID: undefined, LOG_LEVEL: 'info' as const };
    await deployCommands(config, allCommands);
    const put = world.discord.calls.filter((c) => c.method === 'PUT').at(-1)!;
    const commands = put.body as Array<{ name: string; default_member_permissions?: string; options?: Array<{ name: string }> }>;
    const adminCommand = commands.find((c) => c.name === 'admin')!;
    assert.equal(adminCommand.default_member_permissions, String(MANAGE_GUILD));
    assert.deepEqual(adminCommand.options?.map((o) => o.name), ['limit', 'mode', 'budget', 'channels', 'words', 'usage', 'language', 'showcase', 'show', 'translate', 'strikes', 'pardon']);
    const quota = commands.find((c) => c.name === 'quota')!;
    assert.equal(quota.default_member_permissions, undefined);
  });

  test('only members who manage the server may use /admin (a role with Manage Server counts)', async () => {
    assert.match(await admin('show', {}, bob), /Only members who can manage this server/);
    world.discord.world.memberRoles.set(carol.id, [mods.id]);
    assert.match(await admin('show', {}, carol), /Midjourney settings of this server/);
  });

  test('limits by role: @everyone is the default, the most generous role wins, and daily 0 shuts a role out', async () => {
    assert.match(await admin('limit', { role: everyone, daily: 1, concurrent: 1 }), /@everyone: 1 task per member per day, 1 at a time/);
    assert.match(await admin('limit', { role: { id: patron.id, type: 8 }, daily: 3, concurrent: 2 }), /3 tasks per member per day/);
    const first = await imagine(world, 'bob one', bob);
    assert.equal(first.refusal, undefined);
    await untilEnded(world, first.interaction);
    const second = await imagine(world, 'bob two', bob);
    assert.match(second.refusal ?? '', /You have used your 1 task for today \(1 of 1\)\. Your quota resets <t:\d+:R>/);
    assert.equal(submitsWith(world, 'bob two').length, 0, 'a refusal makes no API call');

    world.discord.world.memberRoles.set(bob.id, [patron.id]);
    assert.equal((await imagine(world, 'bob three', bob)).refusal, undefined, 'Patron: 3 a day');
    assert.match(await privately(world, 'quota', {}, bob), /Today: 2 of 3 tasks used \(1 left\)\. Resets <t:\d+:R>\.\nIn flight: \d of 2 at a time\./);

    await admin('limit', { role: everyone, daily: 0, concurrent: 1 });
    assert.match((await imagine(world, 'carol zero', carol)).refusal ?? '', /Your roles don't include the Midjourney bot/);
  });

  test('concurrency: refused while a task runs, allowed once it ended', async () => {
    await admin('limit', { role: everyone, daily: 10, concurrent: 1 });
    world.sim.configure({ runMs: 3000 });
    try {
      const running = await imagine(world, 'bob slow', bob);
      assert.equal(running.refusal, undefined);
      const meanwhile = await imagine(world, 'bob impatient', bob);
      assert.match(meanwhile.refusal ?? '', /You already have 1 task running; your limit is 1 at a time/);
      await untilEnded(world, running.interaction);
      assert.equal((await imagine(world, 'bob patient', bob)).refusal, undefined);
    } finally {
      world.sim.configure({ runMs: 900 });
    }
  });

  test('a task that fails is refunded', async () => {
    await admin('limit', { role: everyone, daily: 1, concurrent: 2 });
    world.sim.configure({ failPrompts: ['doomed'] });
    try {
      const doomed = await imagine(world, 'a doomed cat', bob);
      await world.untilOriginal(doomed.interaction, (m) => /Failed/.test(embedText(m)), 'the failure');
      await world.until(async () => (await world.app.store.usage.get(/Task (\d+)/.exec(embedText(world.discord.original(doomed.interaction)!))![1]!))?.refunded, 'the refund');
      assert.match(await privately(world, 'quota', {}, bob), /Today: 0 of 1 task used/);
      assert.equal((await imagine(world, 'a lucky cat', bob)).refusal, undefined, 'the refunded slot is usable');
    } finally {
      world.sim.configure({ failPrompts: [] });
    }
  });

  test('mode caps: --turbo and —fast typed in a prompt under a relax cap reach the API as relax only; the card says so', async () => {
    await admin('limit', { role: everyone, daily: 20, concurrent: 5 });
    assert.match(await admin('mode', { role: everyone, fastest: 'relax' }), /fastest mode relax/);
    const typed = await imagine(world, 'a fox --turbo in snow', bob);
    const dashed = await imagine(world, 'an owl —fast at night', bob, { mode: 'turbo' });
    for (const [outcome, text] of [[typed, 'a fox'], [dashed, 'an owl']] as const) {
      assert.equal(outcome.refusal, undefined);
      const [body] = submitsWith(world, text);
      const flags = String(body?.prompt).match(/(--|—|–)(fast|relax|turbo)\b/g);
      assert.deepEqual(flags, ['--relax'], `exactly one mode in “${body?.prompt}”`);
      const card = await world.untilOriginal(outcome.interaction, (m) => /Mode/.test(embedText(m)), 'the card');
      assert.match(embedText(card), /Mode: relax \(asked for (turbo|fast); your roles allow up to relax\)/);
    }
    world.discord.world.memberRoles.set(bob.id, [patron.id]);
    await admin('mode', { role: { id: patron.id, type: 8 }, fastest: 'fast' });
    assert.equal((await imagine(world, 'a patron hare --turbo', bob)).refusal, undefined);
    assert.match(String(submitsWith(world, 'a patron hare')[0]?.prompt), /a patron hare --fast$/, 'the most generous cap of the roles');
    assert.equal((await imagine(world, 'an admin bear --turbo', world.discord.alice)).refusal, undefined);
    assert.match(String(submitsWith(world, 'an admin bear')[0]?.prompt), /--turbo$/, 'admins are not capped');
  });

  test('a speed flag typed in a form is removed as well', async () => {
    await admin('mode', { role: everyone, fastest: 'relax' });
    const grid = await imagine(world, 'a zoomed hill', bob);
    const done = await world.untilOriginal(grid.interaction, isDone, 'the grid');
    const u1 = world.discord.click(done.id, buttonId(done, 'U1'), { user: bob });
    const upscale = await world.discord.waitFor(() => {
      const card = world.discord.followups(u1)[0] ?? world.discord.original(u1);
      return card && isDone(card) ? card : undefined;
    }, 'the upscale');
    const zoom = world.discord.click(upscale.id, buttonId(upscale, 'Custom Zoom'), { user: bob });
    const opened = await world.discord.answered(zoom);
    modalInput(opened);
    const form = world.discord.submitModal(zoom, { prompt: 'a zoomed hill –turbo --zoom 1.5' }, { user: bob });
    const [modal] = await untilRequests(world, '/submit/modal', 1);
    assert.deepEqual(String(modal!.prompt).match(/(--|—|–)(fast|relax|turbo)\b/g), ['--relax'], String(modal!.prompt));
    // Ends once the zoom is tracked and counted, so nothing is counted after this test.
    await world.untilOriginal(form, (m) => /Task \d+/.test(embedText(m)), 'the zoom card');
  });

  test('server budget: spent for members, not for admins', async () => {
    assert.match(await admin('budget', { daily: 1 }), /Server budget: 1 task a day/);
    assert.equal((await imagine(world, 'budget one', bob)).refusal, undefined);
    assert.match((await imagine(world, 'budget two', carol)).refusal ?? '', /daily Midjourney budget is spent \(1 of 1 task today\)\. It resets <t:\d+:R>/);
    assert.equal((await imagine(world, 'budget admin', world.discord.alice)).refusal, undefined, 'admins are exempt');
    assert.match(await admin('budget', {}), /No server budget/);
  });

  test('channel allowlist: elsewhere the member is told where to go', async () => {
    const art = world.discord.world.otherChannelId;
    assert.match(await admin('channels', { action: 'allow', channel: { id: art, type: 7 } }), new RegExp(`only in <#${art}>`));
    assert.match((await imagine(world, 'wrong room', bob)).refusal ?? '', new RegExp(`works in <#${art}> on this server`));
    assert.equal((await imagine(world, 'right room', bob, {}, art)).refusal, undefined);
    assert.match(await admin('channels', { action: 'clear' }), /every channel/);
  });

  test('banned words: whole words, any case, in commands and forms, named in the refusal', async () => {
    assert.match(await admin('words', { action: 'add', word: 'Forbidden' }), /Added `forbidden`/);
    assert.match((await imagine(world, 'a FORBIDDEN fox', bob)).refusal ?? '', /“forbidden” is not allowed on this server/);
    assert.equal(submitsWith(world, 'FORBIDDEN').length, 0);
    assert.equal((await imagine(world, 'a forbiddenfruit tree', bob)).refusal, undefined, 'whole words only');
    // A form: describe, then 1️⃣ with the word typed in.
    const described = await world.command('describe', { image: image(world, 3) }, { user: bob });
    const card = await world.untilOriginal(described, isDone, 'the describe card');
    const pick = world.discord.click(card.id, buttonId(card, '1️⃣'), { user: bob });
    await world.discord.answered(pick);
    const form = world.discord.submitModal(pick, { prompt: 'something forbidden here' }, { user: bob });
    assert.match(await world.privateAnswer(form), /“forbidden” is not allowed/);
    assert.match(await admin('words', { action: 'list' }), /Banned words: `forbidden`/);
    assert.match(await admin('words', { action: 'remove', word: 'forbidden' }), /Banned words: none/);
  });

  test('banned words as people read them: the seven spellings of issue 21 are refused, and nothing reaches the API', async () => {
    await admin('words', { action: 'add', word: 'nude' });
    await admin('words', { action: 'add', word: 'bikini' });
    const spellings = ['a NUDE statue', 'a n\u200Bude statue', 'a nu\u00ADde statue', 'a ｎｕｄｅ statue', 'a nude_statue', 'a woman in a BİKİNİ', 'a nüde figure'];
    for (const [n, prompt] of spellings.entries()) {
      const { refusal } = await imagine(world, `${prompt} ${n}`, bob);
      assert.match(refusal ?? '', /“(nude|bikini)” is not allowed on this server/, prompt);
    }
    assert.equal(bodiesTo(world, '/submit/imagine').filter((b) => / (statue|figure|woman)/.test(String(b.prompt))).length, 0, 'none was sent');
    assert.equal((await imagine(world, 'a denuded hillside', bob)).refusal, undefined, 'a word that merely contains it passes');
  });

  test('two commands racing for the last slot: exactly one is sent', async () => {
    await admin('limit', { role: everyone, daily: 1, concurrent: 5 });
    const before = bodiesTo(world, '/submit/imagine').length;
    const a = world.discord.command('imagine', { prompt: 'race a' }, { user: bob });
    const b = world.discord.command('imagine', { prompt: 'race b' }, { user: bob });
    await Promise.all([world.discord.answered(a), world.discord.answered(b)]);
    const refused = await world.discord.waitFor(() => {
      const texts = [a, b].map((i) => [world.discord.original(i), ...world.discord.followups(i)].find((m) => m && m.flags & 64 && m.content)?.content);
      return texts.filter(Boolean).length === 1 ? texts : undefined;
    }, 'one refusal');
    await world.discord.waitFor(() => bodiesTo(world, '/submit/imagine').length > before, 'one submit');
    const accepted = refused[0] ? b : a;
    await world.untilOriginal(accepted, (m) => /Task \d+/.test(embedText(m)), 'the accepted card');
    assert.match(String(refused.find(Boolean)), /used your 1 task/);
    assert.equal(bodiesTo(world, '/submit/imagine').length - before, 1);
  });

  test('/admin usage: a summary and usage.csv, row by row; /admin show lists every setting', async () => {
    const ran = await imagine(world, 'usage grid', bob);
    const grid = await world.untilOriginal(ran.interaction, isDone, 'the grid');
    const u2 = world.discord.click(grid.id, buttonId(grid, 'U2'), { user: bob });
    await world.discord.waitFor(() => { const c = world.discord.original(u2); return c && isDone(c) ? c : undefined; }, 'the upscale');
    world.sim.configure({ failPrompts: ['usage failed'] });
    const failed = await imagine(world, 'usage failed', carol, { mode: 'relax' });
    await untilEnded(world, failed.interaction);
    world.sim.configure({ failPrompts: [] });
    const ids = [ran.interaction, u2, failed.interaction].map((i) => /Task (\d+)/.exec(embedText(world.discord.original(i)!))![1]!);
    await world.until(async () => (await world.app.store.usage.get(ids[2]!))?.status === 'FAILURE', 'the failure in usage');

    const interaction = await world.command('admin', { subcommand: 'usage', days: 1 } as never);
    const reply = await world.discord.waitFor(() => { const m = world.discord.original(interaction); return m?.attachments.length ? m : undefined; }, 'the usage reply');
    assert.ok(reply.flags & 64, 'privately');
    assert.match(reply.content, /1 refunded/);
    assert.match(reply.content, new RegExp(`<@${bob.id}> 2`));
    const csv = (await world.discord.download(reply.attachments[0]!)).toString('utf8').trim().split('\r\n');
    assert.equal(reply.attachments[0]!.filename, 'usage.csv');
    assert.equal(csv[0], 'time,member_id,member_name,channel_id,kind,mode,task_id,status,api');
    const rows = new Map(csv.slice(1).map((line) => { const cells = line.split(','); return [cells[6]!, cells] as const; }));
    const expected = [
      [ids[0], bob.id, 'Bob', '/imagine', 'default', 'SUCCESS'],
      [ids[1], bob.id, 'Bob', 'U2', 'default', 'SUCCESS'],
      [ids[2], carol.id, 'Carol', '/imagine', 'relax', 'FAILURE'],
    ];
    for (const [taskId, memberId, name, kind, mode, status] of expected) {
      const row = rows.get(taskId!);
      assert.ok(row, `a row for ${taskId}`);
      assert.ok(!Number.isNaN(Date.parse(row[0]!)) && row[0]!.endsWith('Z'), `ISO time: ${row[0]}`);
      assert.deepEqual(row.slice(1), [memberId, name, world.discord.channelId, kind, mode, taskId, status, 'default']);
    }
    const onlyCarol = await world.command('admin', { subcommand: 'usage', member: { id: carol.id, type: 6 }, days: 1 } as never);
    const carolReply = await world.discord.waitFor(() => { const m = world.discord.original(onlyCarol); return m?.attachments.length ? m : undefined; }, 'carol usage');
    assert.equal((await world.discord.download(carolReply.attachments[0]!)).toString('utf8').trim().split('\r\n').length, 2);

    await admin('limit', { role: { id: patron.id, type: 8 }, daily: 7, concurrent: 3 });
    await admin('words', { action: 'add', word: 'nope' });
    const shown = await admin('show');
    assert.match(shown, new RegExp(`<@&${patron.id}>: 7/day, 3 at a time`));
    assert.match(shown, /Banned words: `nope`/);
    assert.match(shown, /Default \(@everyone\): 25 tasks a day, 2 at a time/);
  });
});

describe('settings and usage live in the store', () => {
  let world: TestWorld;
  after(() => world?.stop());

  test('they survive a restart; usage rows go after 90 days', async () => {
    world = await TestWorld.start();
    const { alice, bob, guildId } = world.discord;
    await privately(world, 'admin', { subcommand: 'limit', role: { id: guildId, type: 8 }, daily: 3, concurrent: 1 }, alice);
    await privately(world, 'admin', { subcommand: 'words', action: 'add', word: 'kept' }, alice);
    const ran = await imagine(world, 'a remembered cat', bob);
    const card = await world.untilOriginal(ran.interaction, isDone, 'the card');
    const taskId = /Task (\d+)/.exec(embedText(card))![1]!;
    await world.until(async () => (await world.app.store.usage.get(taskId))?.status === 'SUCCESS', 'the usage row');
    await world.restart();
    const shown = await privately(world, 'admin', { subcommand: 'show' }, alice);
    assert.match(shown, /@everyone\): 3 tasks a day, 1 at a time/);
    assert.match(shown, /Banned words: `kept`/);
    assert.match(await privately(world, 'quota', {}, bob), /Today: 1 of 3 tasks used/);
    world.clock.advance(91 * 86_400_000);
    await world.app.store.sweep(world.clock.now(), 30 * 86_400_000);
    assert.equal(await world.app.store.usage.get(taskId), undefined, 'the usage row is deleted after 90 days');
    assert.match(await privately(world, 'admin', { subcommand: 'show' }, alice), /Banned words: `kept`/, 'settings stay');
  });
});

describe('ALLOWED_GUILD_IDS', () => {
  let world: TestWorld;
  after(() => world?.stop());

  test('the bot leaves, and ignores commands from, a server not on the list', async () => {
    world = await TestWorld.start({ env: { ALLOWED_GUILD_IDS: '123456789012345678' } });
    await world.discord.waitFor(() => world.discord.calls.some((c) => c.route === 'DELETE /users/@me/guilds/:guild' && c.params.guild === world.discord.guildId), 'the bot to leave');
    const answer = await privately(world, 'imagine', { prompt: 'not here' }, world.discord.alice);
    assert.match(answer, /not enabled in this server/);
    assert.equal(world.sim.requestCount('/submit/'), 0);
  });
});
