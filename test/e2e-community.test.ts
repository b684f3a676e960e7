import assert from 'node:assert/strict';
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
});
