import assert from 'node:assert/strict';
import { PermissionFlagsBits } from 'discord.js';
import { after, before, describe, test } from 'node:test';
import type { LocalInteraction, LocalMessage, LocalUser } from '../src/playground/discord';
import { user } from '../src/playground/discord/world';
import { buttonsOf, embedText, TestWorld } from './support/harness';
import { buttonId, isDone } from './support/surface';

/** Issue 25: ⭐ for everyone, a showcase channel, /favorites and /history. */

const DAY = 86_400_000;
/** Past the double-click window: a member's next click on ⭐ counts again. */
const LATER_MS = 3_000;

/** The ⭐ button of a card, and the count it shows. */
const star = (message: LocalMessage) => buttonsOf(message).find((b) => b.emoji?.name === '⭐');
const starsShown = (message: LocalMessage | undefined) => (message ? star(message)?.label : undefined);
const taskIdIn = (message: LocalMessage) => /Task (\S+)/.exec(embedText(message))?.[1] ?? '';
const cardLink = (world: TestWorld, card: LocalMessage) => `https://discord.com/channels/${world.discord.guildId}/${card.channel_id}/${card.id}`;

describe('⭐, the showcase channel, /favorites and /history', () => {
  let world: TestWorld;
  let alice: LocalUser;
  let bob: LocalUser;
  let carol: LocalUser;
  let dave: LocalUser;
  let showcaseChannel: string;
  before(async () => {
    world = await TestWorld.start();
    ({ alice, bob } = world.discord);
    carol = user(world.discord.world.ids.next(), 'carol');
    dave = user(world.discord.world.ids.next(), 'dave');
    showcaseChannel = world.discord.world.otherChannelId;
  });
  after(() => world.stop());

  const privately = async (name: string, options: Record<string, unknown>, by: LocalUser, channelId?: string) =>
    world.privateAnswer(await world.command(name, options as never, { user: by, ...(channelId ? { channelId } : {}) }));
  const grid = async (prompt: string, by = alice, channelId?: string) => {
    const interaction = await world.command('imagine', { prompt }, { user: by, ...(channelId ? { channelId } : {}) });
    return world.untilOriginal(interaction, isDone, `the grid of “${prompt}”`);
  };
  const click = (card: LocalMessage, by: LocalUser): LocalInteraction => world.discord.click(card.id, star(card)!.custom_id!, { user: by });
  const untilStars = (card: LocalMessage, count: string) =>
    world.discord.waitFor(() => starsShown(world.discord.message(card.id)) === count && world.discord.message(card.id), `⭐ ${count} on the card`);
  const showcasePosts = () => world.discord.messagesIn(showcaseChannel);

  test('a stranger stars the owner’s image: ⭐ 1 on the card, a private line, one showcase post with the image, the prompt and a link to the card', async () => {
    assert.match(await privately('admin', { subcommand: 'showcase', channel: { id: showcaseChannel, type: 7 }, threshold: 1 }, alice), /posted once in <#\d+>/);
    const card = await grid('a heron in the mist **bold** [x](https://evil.example)');
    assert.equal(starsShown(card), '0', 'a finished image shows ⭐ with its count');
    const before = { api: world.sim.requests.length, buttons: buttonsOf(card).filter((b) => b.custom_id?.startsWith('mj:')).map((b) => b.custom_id) };

    const starred = click(card, bob);
    assert.match(await world.privateAnswer(starred), /^⭐ You starred this image \(1 star now\)\.$/);
    const shown = await untilStars(card, '1');
    const post = await world.discord.waitFor(() => showcasePosts()[0], 'the showcase post');
    assert.match(post.content, /1 star/);
    const embed = post.embeds[0] as { description: string; image: { url: string } };
    assert.match(embed.description, /a heron in the mist \\\*\\\*bold\\\*\\\* \\\[x\]/, 'the prompt, escaped as on the card');
    assert.match(embed.description, new RegExp(`by <@${alice.id}>`));
    assert.equal(post.attachments.length, 1);
    assert.equal(post.attachments[0]!.content_type, 'image/png');
    assert.deepEqual(await world.discord.download(post.attachments[0]!), await world.discord.download(card.attachments[0]!), 'the image the card shows');
    assert.equal(embed.image.url, `attachment://${post.attachments[0]!.filename}`);
    const link = buttonsOf(post)[0]!;
    assert.equal(link.style, 5);
    assert.equal(link.url, cardLink(world, card), 'a link back to the card');

    assert.equal(world.sim.requests.length, before.api, 'starring reached no API');
    assert.deepEqual(buttonsOf(shown).filter((b) => b.custom_id?.startsWith('mj:')).map((b) => b.custom_id), before.buttons, 'the task’s own buttons are as they were');
    const u1 = world.discord.click(card.id, buttonId(card, 'U1'), { user: bob });
    assert.match(await world.privateAnswer(u1), /Only <@\d+>/, 'and stay the owner’s');
  });

  test('unstar → 0, star again → 1: the showcase post follows the count and is never posted twice', async () => {
    const card = world.discord.messagesIn().filter((m) => star(m)).at(-1)!;
    world.clock.advance(LATER_MS);
    assert.match(await world.privateAnswer(click(card, bob)), /You took your star back \(0 stars now\)/);
    await untilStars(card, '0');
    await world.discord.waitFor(() => /0 stars/.test(showcasePosts()[0]!.content), 'the showcase post at 0');
    world.clock.advance(LATER_MS);
    assert.match(await world.privateAnswer(click(card, bob)), /1 star now/);
    await untilStars(card, '1');
    await world.discord.waitFor(() => /1 star\b/.test(showcasePosts()[0]!.content), 'the showcase post at 1 again');
    assert.equal(showcasePosts().length, 1, 'one showcase post, whatever the count did');
  });

  test('two members starring at once count two; one member double-clicking counts once', async () => {
    const card = await grid('two cranes dancing');
    const together = [click(card, bob), click(card, carol)];
    for (const interaction of together) assert.match(await world.privateAnswer(interaction), /You starred this image/);
    await untilStars(card, '2');
    const twice = [click(card, dave), click(card, dave)];
    const answers = await Promise.all(twice.map((interaction) => world.privateAnswer(interaction)));
    for (const answer of answers) assert.match(answer, /You starred this image \(3 stars now\)/, 'both clicks are told the one star');
    await untilStars(card, '3');
    const stored = await world.app.store.stars.get(taskIdIn(card));
    assert.deepEqual(Object.keys(stored!.by).sort(), [bob.id, carol.id, dave.id].sort());
    assert.equal(showcasePosts().length, 2, 'this image reached the threshold too: its own post');
  });

  test('a burst of stars costs the card one edit now and one with the final count', async () => {
    const card = await grid('a burst of starlings');
    const edits = () => world.discord.calls.filter((c) => c.route === 'PATCH /channels/:channel/messages/:message' && c.params.message === card.id).length;
    const members = Array.from({ length: 6 }, (_, i) => user(world.discord.world.ids.next(), `fan${i}`));
    const clicks = members.map((member) => click(card, member));
    for (const interaction of clicks) await world.privateAnswer(interaction);
    await untilStars(card, '6');
    assert.ok(edits() <= 2, `${edits()} edits of the card for 6 stars`);
  });

  test('/favorites lists what a member starred, newest first, and nothing for a member who starred nothing', async () => {
    const bobs = await world.command('favorites', {}, { user: bob });
    await world.privateAnswer(bobs);
    const answer = world.discord.original(bobs)!;
    assert.match(answer.content, /Your favourites in this server.*page 1 of 1 \(2 images\)/);
    assert.match(embedText(answer), /two cranes dancing[\s\S]*a heron in the mist/, 'newest first');
    assert.match(embedText(answer), new RegExp(`by <@${alice.id}>`));
    const heron = (answer.embeds as Array<{ description: string; url?: string; thumbnail?: { url: string }; fields: Array<{ value: string }> }>).find((e) => /heron/.test(e.description))!;
    assert.match(heron.url ?? '', /^https:\/\/discord\.com\/channels\/\d+\/\d+\/\d+$/, 'the title links to the card');
    assert.match(heron.thumbnail?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\//, 'a thumbnail of the image');
    assert.equal(heron.fields[0]!.value, '⭐ 1');
    assert.ok(answer.flags & 64, 'private');
    assert.match(await privately('favorites', {}, alice), /You have not starred an image in this server yet/, 'alice starred nothing');
  });

  test('/task shows ⭐ with the count, and a star from that private answer counts on the card', async () => {
    const card = world.discord.messagesIn().find((m) => /two cranes dancing/.test(embedText(m)))!;
    const task = await world.command('task', { id: taskIdIn(card) }, { user: alice });
    const answer = await world.discord.waitFor(() => (world.discord.original(task)?.embeds.length ? world.discord.original(task) : undefined), '/task’s card');
    assert.equal(starsShown(answer), '3');
    world.discord.click(answer.id, star(answer)!.custom_id!, { user: alice });
    await untilStars(card, '4');
  });

  test('/history: a member’s own tasks only, newest first, 5 a page with ◀ ▶ in place, filtered by kind', async () => {
    for (const prompt of ['a fourth fox', 'a fifth fox']) await grid(prompt);
    const sixth = await grid('a sixth fox');
    const upscale = world.discord.click(sixth.id, buttonId(sixth, 'U1'));
    await world.untilOriginal(upscale, isDone, 'the upscale');

    const mine = await world.command('history', {}, { user: alice });
    await world.privateAnswer(mine);
    const page1 = world.discord.original(mine)!;
    assert.ok(page1.flags & 64, 'private');
    assert.match(page1.content, /^\*\*Your tasks in this server\*\* · page 1 of 2 \(7 tasks\)$/);
    assert.equal(page1.embeds.length, 5);
    assert.match(embedText(page1), /^Upscale U1[\s\S]*a sixth fox/, 'newest first: the upscale');
    assert.match(embedText(page1), /Status: ✅ Done/);
    const [back, next] = buttonsOf(page1);
    assert.equal(back!.emoji?.name, '◀️');
    assert.equal((back as { disabled?: boolean }).disabled, true, 'no page before the first');
    world.discord.click(page1.id, next!.custom_id!, { user: alice });
    const page2 = await world.discord.waitFor(() => /page 2 of 2/.test(world.discord.message(page1.id)!.content) && world.discord.message(page1.id), 'page 2 in place');
    assert.equal(page2.embeds.length, 2);
    assert.match(embedText(page2), /two cranes dancing[\s\S]*a heron in the mist/, 'the oldest last');
    world.discord.click(page1.id, buttonsOf(page2)[0]!.custom_id!, { user: alice });
    await world.discord.waitFor(() => /page 1 of 2/.test(world.discord.message(page1.id)!.content), 'back to page 1');

    const upscales = await world.command('history', { kind: 'upscale' }, { user: alice });
    await world.privateAnswer(upscales);
    const filtered = world.discord.original(upscales)!;
    assert.match(filtered.content, /\(upscale\) · page 1 of 1 \(1 task\)/);
    assert.equal(filtered.embeds.length, 1);
    assert.equal(buttonsOf(filtered).length, 0, 'one page: no ◀ ▶');
    assert.match(await privately('history', { kind: 'blend' }, alice), /You have no blend task in this server/);

    assert.match(await privately('history', {}, bob), /You have not started a task in this server yet/, 'bob sees none of alice’s tasks');
    await grid('bob’s own owl', bob);
    const bobs = await world.command('history', {}, { user: bob });
    await world.privateAnswer(bobs);
    assert.match(world.discord.original(bobs)!.content, /\(1 task\)/);
    assert.doesNotMatch(embedText(world.discord.original(bobs)!), /fox|heron|crane/);
  });

  test('a restart keeps the counts, the showcase post, favourites and history', async () => {
    const card = world.discord.messagesIn().find((m) => /a heron in the mist/.test(embedText(m)))!;
    const taskId = taskIdIn(card);
    await world.restart();
    world.clock.advance(LATER_MS);
    assert.match(await world.privateAnswer(click(card, carol)), /You starred this image \(2 stars now\)/, 'bob’s star is still counted');
    await untilStars(card, '2');
    await world.discord.waitFor(() => /2 stars/.test(showcasePosts()[0]!.content), 'the same showcase post, at 2');
    assert.equal(showcasePosts().filter((post) => buttonsOf(post)[0]!.url === cardLink(world, card)).length, 1, 'not posted again');
    assert.match(embedText(world.discord.original(await world.command('favorites', {}, { user: carol }))!), /a heron in the mist/);
    assert.match(await privately('history', { kind: 'upscale' }, alice), /1 task/);
    assert.ok((await world.app.store.stars.get(taskId))?.by[bob.id]);
  });

  test('retention removes old stars with their task: the count, the favourites, the history', async () => {
    const card = world.discord.messagesIn().find((m) => /a heron in the mist/.test(embedText(m)))!;
    const taskId = taskIdIn(card);
    world.clock.advance(31 * DAY);
    assert.match(await privately('favorites', {}, bob), /You have not starred an image/, 'expired favourites are not listed');
    assert.ok((await world.app.store.sweep(world.clock.now(), 30 * DAY)) > 0);
    assert.equal(await world.app.store.stars.get(taskId), undefined, 'the star record is deleted');
    assert.equal(await world.app.store.favorites.get(`${world.discord.guildId}:${bob.id}`), undefined, 'bob’s favourites are deleted');
    assert.equal(await world.app.store.history.get(`${world.discord.guildId}:${alice.id}`), undefined, 'alice’s history is deleted');
    assert.match(await privately('history', {}, alice), /You have not started a task/);
    assert.match(await world.privateAnswer(click(card, dave)), /This card has expired/, 'an old card’s ⭐ says so');
  });
});

describe('what the showcase never shows, and what it says when it cannot post', () => {
  let world: TestWorld;
  let alice: LocalUser;
  let bob: LocalUser;
  let showcaseChannel: string;
  before(async () => {
    world = await TestWorld.start();
    ({ alice, bob } = world.discord);
    showcaseChannel = world.discord.world.otherChannelId;
  });
  after(() => world.stop());

  const privately = async (name: string, options: Record<string, unknown>, by: LocalUser, channelId?: string) =>
    world.privateAnswer(await world.command(name, options as never, { user: by, ...(channelId ? { channelId } : {}) }));
  const grid = async (prompt: string, channelId?: string) =>
    world.untilOriginal(await world.command('imagine', { prompt }, { user: alice, ...(channelId ? { channelId } : {}) }), isDone, `the grid of “${prompt}”`);
  const starred = async (card: LocalMessage, by: LocalUser) => {
    const answer = await world.privateAnswer(world.discord.click(card.id, star(card)!.custom_id!, { user: by }));
    assert.match(answer, /You starred this image/);
  };
  /** Waits until the bot has nothing under way: its showcase posts, then the edits they and the stars asked for. */
  const settled = async () => {
    await world.app.ctx.showcase.idle();
    await world.app.ctx.starCards.idle();
  };

  test('an image from a channel @everyone cannot see is never showcased, and /admin show says so', async () => {
    await privately('admin', { subcommand: 'showcase', channel: { id: showcaseChannel, type: 7 }, threshold: 1 }, alice);
    const secret = await grid('a secret lighthouse', world.discord.secretChannelId);
    await starred(secret, alice);
    await world.discord.waitFor(() => starsShown(world.discord.message(secret.id)) === '1', 'the count on the secret card');
    await settled();
    assert.equal(world.discord.messagesIn(showcaseChannel).length, 0, 'nothing posted from the secret channel');
    assert.match(await world.app.store.stars.get(taskIdIn(secret)).then((r) => String(r?.showcase?.state)), /undefined/);
    const shown = await privately('admin', { subcommand: 'show' }, alice);
    assert.match(shown, /Showcase: <#\d+>, from 1 star/);
    assert.match(shown, new RegExp(`Images from channels @everyone cannot see are never showcased \\(now: <#${world.discord.secretChannelId}>\\)`));
  });

  test('a showcase channel the bot cannot post in is reported once, privately to the admin who set it and in the log', async () => {
    const first = await grid('a refused kestrel');
    world.discord.failNext({ method: 'POST', route: /^POST \/channels\/:channel\/messages$/, status: 403, code: 50013, message: 'Missing Permissions' });
    await starred(first, bob);
    const dm = await world.discord.waitFor(() => world.discord.messagesIn(world.discord.world.dmChannel(alice.id))[0], 'a direct message to alice');
    assert.match(dm.content, /I could not post a starred image in <#\d+> \(Discord said: Missing Permissions\)/);
    await world.discord.waitFor(() => world.logs.lines.find((l) => /cannot post in the showcase channel/.test(String(l.msg))), 'the log line');
    assert.match(await privately('admin', { subcommand: 'show' }, alice), /Discord refused the last showcase post \(Missing Permissions\)/);

    const second = await grid('a second kestrel');
    const posts = world.discord.calls.filter((c) => c.route === 'POST /channels/:channel/messages').length;
    await starred(second, bob);
    await settled();
    assert.equal(world.discord.calls.filter((c) => c.route === 'POST /channels/:channel/messages').length, posts, 'no more tries, no second message');
    assert.equal(world.discord.messagesIn(world.discord.world.dmChannel(alice.id)).length, 1, 'told once');

    // Set again, it works again; the image that was refused is posted at its next star.
    await privately('admin', { subcommand: 'showcase', channel: { id: showcaseChannel, type: 7 }, threshold: 1 }, alice);
    world.clock.advance(LATER_MS);
    await starred(first, alice);
    await world.discord.waitFor(() => world.discord.messagesIn(showcaseChannel).find((m) => /a refused kestrel/.test(embedText(m))), 'the refused image, posted now');
  });

  test('a showcase post Discord fails for a moment (5xx) is not reported: the next star posts it', async () => {
    const card = await grid('a kestrel on a bad day');
    world.discord.failNext({ method: 'POST', route: /^POST \/channels\/:channel\/messages$/, status: 500, code: 0, message: 'Internal Server Error', times: 4 });
    // (discord.js tries a 5xx three more times: all four fail.)
    const failed = world.discord.calls.length;
    await starred(card, bob);
    await world.discord.waitFor(() => world.discord.calls.slice(failed).filter((c) => c.route === 'POST /channels/:channel/messages' && c.status === 500).length === 4, 'the failed post');
    await settled();
    assert.equal(world.discord.messagesIn(showcaseChannel).filter((m) => /on a bad day/.test(embedText(m))).length, 0);
    await starred(card, world.discord.alice);
    await world.discord.waitFor(() => world.discord.messagesIn(showcaseChannel).find((m) => /on a bad day/.test(embedText(m))), 'the post at the next star');
    assert.equal(world.discord.messagesIn(world.discord.world.dmChannel(alice.id)).length, 1, 'no second message to the admin');
  });

  test('a deleted card drops its stars’ updates quietly', async () => {
    // No showcase: the card's own edits alone find out it is gone.
    await privately('admin', { subcommand: 'showcase' }, alice);
    const card = await grid('a card that goes away');
    world.discord.deleteMessage(card.id);
    const before = world.discord.calls.length;
    await starred(card, bob);
    await world.until(async () => (await world.app.store.stars.get(taskIdIn(card)))?.cardGone, 'the card known gone');
    world.clock.advance(LATER_MS);
    await starred(card, alice);
    await settled();
    const edits = world.discord.calls.slice(before).filter((c) => c.route === 'PATCH /channels/:channel/messages/:message' && c.params.message === card.id);
    assert.equal(edits.length, 1, 'one try, then no more');
    assert.equal(world.logs.lines.filter((l) => Number(l.level) >= 50).length, 0, 'no error logged');
  });

  test('/admin showcase without a channel turns it off; a channel the bot cannot post in is said at once', async () => {
    assert.match(await privately('admin', { subcommand: 'showcase' }, alice), /The showcase is off/);
    assert.match(await privately('admin', { subcommand: 'show' }, alice), /Showcase: off/);
    assert.doesNotMatch(await privately('admin', { subcommand: 'showcase', channel: { id: showcaseChannel, type: 7 } }, alice), /I cannot post/);
    world.discord.setOverwrites(showcaseChannel, [{ id: world.discord.guildId, type: 0, allow: '0', deny: String(PermissionFlagsBits.SendMessages) }]);
    const me = () => world.app.client.guilds.cache.get(world.discord.guildId)?.members.me;
    await world.discord.waitFor(() => me()?.permissionsIn(showcaseChannel).has(PermissionFlagsBits.SendMessages) === false, 'the bot to learn the overwrite');
    assert.match(
      await privately('admin', { subcommand: 'showcase', channel: { id: showcaseChannel, type: 7 } }, alice),
      /reach 3 stars[\s\S]*I cannot post in <#\d+> yet: I need Send Messages there\.$/,
    );
  });

  test('a member whose Discord is in Chinese is answered in Chinese', async () => {
    const card = await grid('a lantern');
    const answer = await world.privateAnswer(world.discord.click(card.id, star(card)!.custom_id!, { user: { ...bob, locale: 'zh-CN' } }));
    assert.match(answer, /你给这张图片点了星（现在共 1 颗）/);
    assert.equal(starsShown(await world.discord.waitFor(() => starsShown(world.discord.message(card.id)) === '1' && world.discord.message(card.id), 'the count')), '1');
  });

  test('a star that comes before the card’s final edit (from /task) reaches the card once the tracker is done with it', async () => {
    // The final edit (the one with the files) fails once: the tracker tries it again a few seconds later.
    world.discord.failNext({ route: 'PATCH /webhooks', withFiles: true, status: 500, times: 1 });
    const interaction = await world.command('imagine', { prompt: 'a late heron' }, { user: alice });
    const key = await world.discord.waitFor(() => [...world.sim.tasks.values()].find((t) => t.prompt === 'a late heron')?.id, 'the task');
    await world.discord.waitFor(() => world.discord.calls.find((c) => c.route === 'PATCH /webhooks/:app/:token/messages/:message' && c.status === 500), 'the final edit refused');
    const task = await world.command('task', { id: key }, { user: bob });
    const answer = await world.discord.waitFor(() => (world.discord.original(task)?.embeds.length ? world.discord.original(task) : undefined), '/task’s card');
    assert.equal((await world.app.store.tasks.get(key))?.lifecycle, 'tracked', 'the tracker still owns the card');
    assert.match(await world.privateAnswer(world.discord.click(answer.id, star(answer)!.custom_id!, { user: bob })), /1 star now/);
    const card = await world.untilOriginal(interaction, isDone, 'the final card', 20_000);
    await world.discord.waitFor(() => starsShown(world.discord.message(card.id)) === '1', 'the star on the card after its final edit', 20_000);
  });
});
