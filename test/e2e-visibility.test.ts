import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ALL_PERMISSIONS, PERMISSION_ADMINISTRATOR, PERMISSION_VIEW_CHANNEL, type LocalInteraction, type LocalMessage } from '../src/playground/discord';
import { World } from '../src/playground/discord/world';
import { addSecretChannel } from './support/discord';
import { embedText, TestWorld } from './support/harness';
import { buttonId, isDone } from './support/surface';

/** `/task` and 🌱 Seed answer only the member who started the task or a member who can view the card's channel. */

const VIEW = String(PERMISSION_VIEW_CHANNEL);
const canView = (bits: bigint): boolean => (bits & PERMISSION_VIEW_CHANNEL) !== 0n;
/** The permissions the local Discord puts in an interaction, as Discord sends them (a decimal string). */
const sentPermissions = (interaction: LocalInteraction): bigint => BigInt((interaction.raw.member as { permissions: string }).permissions);

describe('the local Discord computes permissions as Discord does', () => {
  test('@everyone, role and member overwrites apply in that order; the owner and administrators get everything', () => {
    const world = new World();
    const secretChannelId = addSecretChannel(world);
    const { alice, bob, channelId } = world;
    assert.ok(canView(world.permissionsIn(bob.id, channelId)), 'general has no overwrites');
    assert.ok(!canView(world.permissionsIn(bob.id, secretChannelId)), '@everyone is denied the secret channel');
    assert.equal(world.permissionsIn(alice.id, secretChannelId), ALL_PERMISSIONS, 'alice owns the guild');

    world.ownerId = bob.id;
    assert.ok(canView(world.permissionsIn(alice.id, secretChannelId)), 'alice has a member overwrite, owner or not');
    world.ownerId = alice.id;

    const artists = world.addRole('artists');
    const muted = world.addRole('muted');
    world.overwrites.set(secretChannelId, [
      ...world.overwrites.get(secretChannelId)!,
      { id: artists.id, type: 0, allow: VIEW, deny: '0' },
      { id: muted.id, type: 0, allow: '0', deny: VIEW },
    ]);
    world.memberRoles.set(bob.id, [artists.id]);
    assert.ok(canView(world.permissionsIn(bob.id, secretChannelId)), 'a role allow beats the @everyone deny');
    world.memberRoles.set(bob.id, [artists.id, muted.id]);
    assert.ok(canView(world.permissionsIn(bob.id, secretChannelId)), 'role overwrites are combined: an allow wins over another role deny');
    world.memberRoles.set(bob.id, [muted.id]);
    assert.ok(!canView(world.permissionsIn(bob.id, secretChannelId)));
    world.overwrites.get(secretChannelId)!.push({ id: bob.id, type: 1, allow: VIEW, deny: '0' });
    assert.ok(canView(world.permissionsIn(bob.id, secretChannelId)), 'the member overwrite comes last');

    const admins = world.addRole('admins', PERMISSION_ADMINISTRATOR);
    world.overwrites.get(secretChannelId)!.push({ id: bob.id, type: 1, allow: '0', deny: VIEW });
    world.memberRoles.set(bob.id, [admins.id]);
    assert.equal(world.permissionsIn(bob.id, secretChannelId), ALL_PERMISSIONS, 'overwrites do not bind administrators');

    const member = world.member(bob, secretChannelId);
    assert.deepEqual(member.roles, [admins.id]);
    assert.equal(member.permissions, String(ALL_PERMISSIONS));
  });
});

describe('/task and Seed on a card in a channel the member cannot see', () => {
  let world: TestWorld;
  let card: LocalMessage;
  let taskId: string;
  const prompt = 'a lighthouse only alice may see';

  before(async () => {
    world = await TestWorld.start({ env: { MJ_PROVIDER: 'trueai' } });
    const imagine = await world.command('imagine', { prompt }, { channelId: world.discord.secretChannelId });
    card = await world.untilOriginal(imagine, isDone, 'the card in the secret channel');
    assert.equal(card.channel_id, world.discord.secretChannelId);
    taskId = /Task (\S+)/.exec(embedText(card))![1]!;
  });
  after(() => world.stop());

  /** What discord.js computes from its cache for this user in the secret channel. */
  const cachedPermissions = (userId: string): bigint | undefined => {
    const guild = world.app.client.guilds.cache.get(world.discord.guildId);
    return guild?.channels.cache.get(world.discord.secretChannelId)?.permissionsFor(userId)?.bitfield;
  };
  /** Every message the bot made for an interaction (original and followups). */
  const shownFor = (interaction: LocalInteraction): LocalMessage[] =>
    [world.discord.original(interaction), ...world.discord.followups(interaction)].filter((m): m is LocalMessage => Boolean(m));

  test('interactions carry the member\'s permissions in their channel, and discord.js computes the same from its cache', async () => {
    const { alice, bob } = world.discord;
    const byBob = world.discord.command('task', { id: 'nothing' }, { user: bob, channelId: world.discord.secretChannelId });
    const byAlice = world.discord.command('task', { id: 'nothing' }, { user: alice, channelId: world.discord.secretChannelId });
    await Promise.all([world.discord.answered(byBob), world.discord.answered(byAlice)]);
    assert.ok(!canView(sentPermissions(byBob)), 'bob may not view the secret channel');
    assert.ok(canView(sentPermissions(byAlice)), 'alice may');
    assert.deepEqual((byBob.raw.member as { roles: string[] }).roles, []);
    assert.equal(cachedPermissions(bob.id), sentPermissions(byBob), 'the GUILD_CREATE carried the overwrites and roles');
  });

  test('/task: bob, who cannot see the channel, is refused without the card; alice gets it', async () => {
    const denied = await world.command('task', { id: taskId }, { user: world.discord.bob });
    assert.match(await world.privateAnswer(denied), /can't see the channel this task was started in/);
    for (const message of shownFor(denied)) {
      assert.equal(message.embeds.length, 0, 'no embed of the card');
      assert.equal(message.components.length, 0, 'no buttons of the card');
      assert.ok(!message.content.includes(prompt), 'nothing of the prompt');
    }

    const allowed = await world.command('task', { id: taskId }, { user: world.discord.alice });
    const answer = await world.untilOriginal(allowed, (m) => m.embeds.length > 0, 'the /task card for alice');
    assert.equal(answer.flags & 64, 64);
    assert.match(embedText(answer), new RegExp(`Task ${taskId}`));
    assert.match(embedText(answer), new RegExp(prompt));
  });

  test('Seed: bob is refused before any call to the API, even once the seed is known; alice gets it', async () => {
    const seedId = buttonId(card, 'Seed');
    const seedCalls = () => world.sim.requests.filter((r) => r.path.endsWith(`/task/${taskId}/image-seed`)).length;

    const denied = world.discord.click(card.id, seedId, { user: world.discord.bob });
    assert.match(await world.privateAnswer(denied), /can't see the channel this task was started in/);
    assert.ok(!canView(sentPermissions(denied)));
    assert.equal(seedCalls(), 0, 'no request to /image-seed');

    const allowed = world.discord.click(card.id, seedId, { user: world.discord.alice });
    assert.match(await world.privateAnswer(allowed), /--seed \d+/);
    assert.equal(seedCalls(), 1);

    const again = world.discord.click(card.id, seedId, { user: world.discord.bob });
    const refusal = await world.privateAnswer(again);
    assert.match(refusal, /can't see the channel/);
    assert.doesNotMatch(refusal, /\d{3,}/, 'the stored seed is not shown');
  });

  test('a role allowed in the channel lets bob see the card and its seed', async () => {
    const { bob, secretChannelId } = world.discord;
    const artists = world.discord.addRole('artists');
    world.discord.setOverwrites(secretChannelId, [...world.discord.world.overwrites.get(secretChannelId)!, { id: artists.id, type: 0, allow: VIEW, deny: '0' }]);
    world.discord.world.memberRoles.set(bob.id, [artists.id]);
    const guild = world.app.client.guilds.cache.get(world.discord.guildId)!;
    await world.discord.waitFor(
      () => canView(guild.channels.cache.get(secretChannelId)?.permissionsFor(artists.id)?.bitfield ?? 0n),
      'the bot to see the new role and overwrite',
    );

    const lookup = await world.command('task', { id: taskId }, { user: bob });
    assert.deepEqual((lookup.raw.member as { roles: string[] }).roles, [artists.id]);
    const answer = await world.untilOriginal(lookup, (m) => m.embeds.length > 0, 'the /task card for bob');
    assert.match(embedText(answer), new RegExp(prompt));
    assert.equal(cachedPermissions(bob.id), world.discord.world.permissionsIn(bob.id, secretChannelId));

    const seed = world.discord.click(card.id, buttonId(card, 'Seed'), { user: bob });
    assert.match(await world.privateAnswer(seed), /--seed \d+/);
  });
});
