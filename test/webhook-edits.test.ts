import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { REST } from 'discord.js';
import { WebhookEdits } from '../src/discord/webhook-edits';
import { TestWorld } from './support/harness';

/** Keeps the event loop busy, as a bot answering a thousand members does: the wait that follows is what is left of the reset. */
function busyFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spinning on purpose
  }
}

describe('card edits through an interaction token keep its bucket', () => {
  let world: TestWorld;
  let edits: WebhookEdits;
  before(async () => {
    // One request per 400 ms a bucket: after each edit Discord says the token's bucket is empty, with a reset near enough to wait for.
    world = await TestWorld.start({ discord: { rateLimits: { routeLimit: 1, routeWindowMs: 400, globalLimit: 50, globalWindowMs: 1_000 } } });
    edits = new WebhookEdits(new REST({ api: world.discord.apiUrl }));
  });
  after(async () => {
    await edits.close();
    await world?.stop();
  });

  test('each edit waits for the reset Discord named when it said the bucket is empty, also after a busy stretch', async () => {
    // A command the bot answers once and then leaves alone: the token's edits below are the only ones.
    const interaction = await world.command('quota');
    const patches = () => world.discord.calls.filter((call) => call.route === 'PATCH /webhooks/:app/:token/messages/:message' && call.params.token === interaction.token);
    const before = patches().length;
    for (let round = 0; round < 3; round += 1) {
      // A 429 would throw here (DiscordAPIError), as discord.js's clients do.
      await edits.edit(world.discord.applicationId, interaction.token, '@original', { content: `step ${round}` });
      // Discord said the bucket is empty for 400 ms; the loop is busy for 300 of them before the next edit is asked for.
      busyFor(300);
    }
    await edits.edit(world.discord.applicationId, interaction.token, '@original', { content: 'done' });
    const sent = patches().slice(before);
    assert.deepEqual(sent.map((call) => call.status), [200, 200, 200, 200], 'each edit sent once, none before its bucket had room');
    assert.equal(world.discord.original(interaction)?.content, 'done');
  });
});
