import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { LocalInteraction, LocalUser } from '../src/playground/discord';
import { embedText, TestWorld } from './support/harness';
import { buttonId, hasEnded, isDone } from './support/surface';

/**
 * Issue 24: a prompt the API refuses as banned is a strike for the member who sent it; enough of them lock that
 * member (not the server, not the admins) before Midjourney suspends the account everyone shares.
 */

/** The API's code-24 answer to the next imagine (a banned prompt, refused at submit). */
const CODE_24 = { status: 200, body: { code: 24, description: '可能包含敏感词', properties: { promptEn: 'a nasty thing', bannedWord: 'nasty' }, result: null } };

describe('strikes: banned prompts lock the member who sends them', () => {
  let world: TestWorld;
  let bob: LocalUser;
  let alice: LocalUser;
  before(async () => {
    world = await TestWorld.start({ env: { DEFAULT_DAILY_TASKS: '100', DEFAULT_CONCURRENT_TASKS: '5' } });
    ({ bob, alice } = world.discord);
  });
  after(() => world.stop());
  afterEach(async () => {
    const { guildId } = world.discord;
    await world.until(async () => {
      const counts = await Promise.all([alice, bob].map((member) => world.app.store.coordinator.memberTaskCount(guildId, member.id)));
      return counts.every((n) => n === 0);
    }, 'tasks to end', 15_000);
    world.sim.clearFaults();
    await world.app.store.strikes.clear();
    await world.clearSettings();
  });

  const privately = async (name: string, options: Record<string, unknown>, by: LocalUser): Promise<string> =>
    world.privateAnswer(await world.command(name, options as never, { user: by }));
  const admin = (sub: string, options: Record<string, unknown> = {}) => privately('admin', { subcommand: sub, ...options }, alice);
  /** /imagine as `by`: its card when the task was accepted, or the private refusal. */
  async function imagine(prompt: string, by: LocalUser): Promise<{ interaction: LocalInteraction; refusal?: string }> {
    const interaction = await world.command('imagine', { prompt }, { user: by });
    return world.discord.waitFor(() => {
      const original = world.discord.original(interaction);
      if (original && !original.deleted && !(original.flags & 64) && /Task \d+/.test(embedText(original))) return { interaction };
      const refusal = [original, ...world.discord.followups(interaction)].find((m) => m && !m.deleted && m.flags & 64 && m.content)?.content;
      return refusal ? { interaction, refusal } : undefined;
    }, `/imagine ${prompt} accepted or refused`);
  }

  test('two code-24 refusals with limit 2 lock the member: commands and clicks refused with until when, nothing sent; /quota and /admin usage say so; /admin pardon lifts it', async () => {
    assert.match(await admin('strikes', { limit: 2 }), /2 prompts Midjourney refuses as banned within 24 hours lock a member for 24 hours/);
    assert.match(await admin('show'), /Strikes: 2 within 24 hours lock for 24 hours/);
    const grid = await world.untilOriginal((await imagine('a calm lake', bob)).interaction, isDone, 'a grid of bob’s');

    world.sim.injectNext({ pathIncludes: '/submit/imagine' }, CODE_24);
    const first = await imagine('a nasty thing', bob);
    assert.match(first.refusal ?? '', /because of the word “nasty”\. Rephrase it and try again\. This counts as a strike \(1 of 2 within 24 hours\)/);
    world.sim.injectNext({ pathIncludes: '/submit/imagine' }, CODE_24);
    const second = await imagine('another nasty thing', bob);
    assert.match(second.refusal ?? '', /That is strike 2: you cannot start tasks until <t:\d+:f> \(<t:\d+:R>\)/);

    const submits = world.sim.requestCount('/submit/');
    const clean = await imagine('a clean fox', bob);
    assert.match(clean.refusal ?? '', /You cannot start Midjourney tasks until <t:\d+:f>.*refused 2 prompts of yours as banned within 24 hours.*Nothing was sent/s);
    const click = world.discord.click(grid.id, buttonId(grid, 'U1'), { user: bob });
    assert.match(await world.privateAnswer(click), /You cannot start Midjourney tasks until/);
    assert.equal(world.sim.requestCount('/submit/'), submits, 'no API call for a locked member');

    const quota = await privately('quota', {}, bob);
    assert.match(quota, /^🔒 You cannot start tasks until <t:\d+:f>/);
    assert.match(quota, /Strikes \(prompts Midjourney refused as banned\): 2 of 2 within 24 hours/);
    const usage = await admin('usage');
    assert.match(usage, new RegExp(`Strikes now: <@${bob.id}> 2 🔒 until <t:\\d+:f>`));

    // The admin is counted, never locked.
    for (const prompt of ['a nasty one', 'a nasty two']) {
      world.sim.injectNext({ pathIncludes: '/submit/imagine' }, CODE_24);
      assert.match((await imagine(prompt, alice)).refusal ?? '', /This counts as a strike \(\d\); admins are never locked/);
    }
    assert.equal((await imagine('an admin’s clean fox', alice)).refusal, undefined, 'the admin still starts tasks');
    assert.match(await privately('quota', {}, alice), /Strikes \(prompts Midjourney refused as banned\): 2 within 24 hours; admins are never locked/);

    assert.match(await admin('pardon', { member: { id: bob.id, type: 6 } }), new RegExp(`<@${bob.id}>'s strikes and lock are cleared`));
    assert.equal((await imagine('a clean fox, pardoned', bob)).refusal, undefined, 'pardoned: bob starts tasks again');
    assert.doesNotMatch(await privately('quota', {}, bob), /Strikes|🔒/);
    assert.match(await admin('pardon', { member: { id: bob.id, type: 6 } }), /has no strikes/);
  });

  test('a banned FAILURE after submit counts too, once per task', async () => {
    // The simulator accepts the prompt and fails the task "可能包含敏感词" when it would start (trueai).
    const { interaction } = await imagine('a badword scene', bob);
    const card = await world.untilOriginal(interaction, hasEnded, 'the failed card', 15_000);
    assert.match(embedText(card), /❌ Failed/);
    await world.until(async () => (await world.app.ctx.strikes.status(world.discord.guildId, bob.id)).count === 1, 'the strike');
    assert.match(await privately('quota', {}, bob), /Strikes \(prompts Midjourney refused as banned\): 1 of 3 within 24 hours/);
    // An end told again (a restart resumes a task that ended) is not a second strike.
    const taskId = /Task (\d+)/.exec(embedText(card))![1]!;
    await world.app.ctx.strikes.taskEnded((await world.app.tracker.find(taskId))!);
    assert.equal((await world.app.ctx.strikes.status(world.discord.guildId, bob.id)).count, 1);
  });

  test('a lock outlives a restart and ends by itself; the server’s own banned words are not strikes; limit 0 turns strikes off', async () => {
    await admin('strikes', { limit: 1, hours: 2 });
    world.sim.injectNext({ pathIncludes: '/submit/imagine' }, CODE_24);
    assert.match((await imagine('a nasty thing', bob)).refusal ?? '', /That is strike 1/);
    assert.match((await imagine('a clean fox', bob)).refusal ?? '', /cannot start Midjourney tasks until/);
    await world.restart();
    assert.match((await imagine('a clean fox, after a restart', bob)).refusal ?? '', /cannot start Midjourney tasks until/, 'the lock is in the store');
    world.clock.advance(2 * 3_600_000 + 60_000);
    assert.equal((await imagine('a clean fox, later', bob)).refusal, undefined, 'two hours later the lock is over');

    await admin('words', { action: 'add', word: 'forbidden' });
    const chats = world.sim.requestCount('/submit/');
    assert.match((await imagine('something forbidden', bob)).refusal ?? '', /“forbidden” is not allowed on this server/);
    assert.equal(world.sim.requestCount('/submit/'), chats, 'refused before any call');
    assert.equal((await world.app.ctx.strikes.status(world.discord.guildId, bob.id)).count, 0, 'not a strike');

    assert.match(await admin('strikes', { limit: 0 }), /Strikes are off/);
    world.sim.injectNext({ pathIncludes: '/submit/imagine' }, CODE_24);
    const refusal = (await imagine('a nasty thing', bob)).refusal ?? '';
    assert.match(refusal, /because of the word “nasty”/);
    assert.doesNotMatch(refusal, /strike/);
    assert.equal((await world.app.ctx.strikes.status(world.discord.guildId, bob.id)).count, 0);
    assert.match(await admin('show'), /Strikes: off/);
  });
});
