import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { CACHED_MEMBERS } from '../src/discord/discord-client';
import type { LocalInteraction, LocalMessage } from '../src/playground/discord';
import { user } from '../src/playground/discord/world';
import { embedText, TestWorld } from './support/harness';
import { hasEnded, isDone, png } from './support/surface';

/** An "internal service" on 127.0.0.1 that must never be fetched unless an admin allowed its origin. */
class InternalService {
  hits: string[] = [];
  private server: Server | undefined;
  url = '';
  body: Buffer = png(9);
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(this.body.length) }).end(this.body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const taskIdOf = (world: TestWorld, prompt: string) =>
  world.discord.waitFor(() => [...world.sim.tasks.values()].find((t) => t.prompt === prompt)?.id, `the task of “${prompt}”`);

/** Runs /imagine and makes its result point at `imageUrl`; resolves to the ended card. */
async function imagineWithResult(world: TestWorld, prompt: string, imageUrl: string): Promise<LocalMessage> {
  const interaction = await world.command('imagine', { prompt });
  world.sim.setResult(await taskIdOf(world, prompt), { imageUrl });
  return world.untilOriginal(interaction, hasEnded, 'the ended card');
}

const every = (message: LocalMessage) => JSON.stringify(message);

describe('result downloads never reach internal addresses', () => {
  let world: TestWorld;
  let internal: InternalService;
  before(async () => {
    internal = await new InternalService().start();
    world = await TestWorld.start();
  });
  after(async () => {
    await world.stop();
    await internal.stop();
  });

  for (const [what, url] of [
    ['a loopback address on another port than the API', () => `${internal.url}/latest/meta-data/iam/credentials.png`],
    ['localhost', () => internal.url.replace('127.0.0.1', 'localhost') + '/x.png'],
    ['a redirect from the API’s own origin to a private address', () => `${world.sim.url}/redirect/${Buffer.from(`${internal.url}/secret.png`).toString('base64url')}`],
  ] as const) {
    test(`${what}: not fetched, not linked; the card finishes with a note`, async () => {
      const card = await imagineWithResult(world, `a cat via ${what}`, url());
      assert.ok(isDone(card), 'the card is finished, not hanging');
      assert.deepEqual(internal.hits, [], 'the internal service was never asked');
      assert.equal(card.attachments.length, 0);
      assert.match(embedText(card), /not shown: the Midjourney service pointed at an address this bot does not fetch/);
      assert.ok(!every(card).includes(internal.url.split('//')[1]!), 'the internal address is not on the card');
    });
  }

  test('the API’s own origin still works (a self-hosted proxy on a LAN)', async () => {
    const interaction = await world.command('imagine', { prompt: 'a cat from the API' });
    const card = await world.untilOriginal(interaction, isDone, 'the final card');
    assert.equal(card.attachments.length, 1);
    assert.match(card.attachments[0]!.filename, /\.png$/);
  });
});

describe('RESULT_ORIGINS and file types', () => {
  let world: TestWorld;
  let internal: InternalService;
  before(async () => {
    internal = await new InternalService().start();
    world = await TestWorld.start({ env: { RESULT_ORIGINS: internal.url } });
  });
  after(async () => {
    await world.stop();
    await internal.stop();
  });

  test('an origin the admin allowed is fetched; the extension comes from the bytes, not the URL or content-type', async () => {
    const card = await imagineWithResult(world, 'a cat from an allowed CDN', `${internal.url}/cat.jpg?format=.exe`);
    assert.ok(isDone(card));
    assert.equal(internal.hits.length, 1);
    assert.equal(card.attachments.length, 1);
    assert.match(card.attachments[0]!.filename, /^mj-\d+\.png$/, 'a PNG served as image/jpeg named .jpg is attached as .png');
  });

  test('a file that is no image or video by its bytes is not attached', async () => {
    internal.body = Buffer.from('<html>not a picture</html>');
    try {
      const card = await imagineWithResult(world, 'a cat that is html', `${internal.url}/cat.png`);
      assert.ok(isDone(card));
      assert.equal(card.attachments.length, 0);
    } finally {
      internal.body = png(9);
    }
  });
});

describe('text from members and the API renders as text', () => {
  let world: TestWorld;
  before(async () => {
    world = await TestWorld.start();
  });
  after(() => world.stop());

  /** Every `[` has an odd number of backslashes before it: it cannot open a masked link. */
  const noLiveLinks = (text: string) => [...text.matchAll(/(\\*)\[/g)].every((m) => m[1]!.length % 2 === 1);

  test('a masked link in a prompt shows as text with its real address', async () => {
    const prompt = 'a cat [Claim your Nitro](https://evil.example/steal) and [more](https://evil.example/2)';
    const interaction = await world.command('imagine', { prompt });
    const card = await world.untilOriginal(interaction, isDone, 'the final card');
    const description = (card.embeds[0] as { description: string }).description;
    assert.match(description, /Claim your Nitro\]\(https:\/\/evil\.example\/steal\)/, 'the address stays visible');
    assert.ok(noLiveLinks(description), `no live masked link in: ${description}`);
  });

  test('a masked link or heading in a fail reason shows as text', async () => {
    const interaction = await world.command('imagine', { prompt: 'a cat that fails' });
    world.sim.failTask(await taskIdOf(world, 'a cat that fails'), '# Verify here\n[your account](https://evil.example/login)');
    const card = await world.untilOriginal(interaction, (m) => /Failed/.test(embedText(m)), 'the failed card');
    const status = (card.embeds[0] as { fields: Array<{ value: string }> }).fields[0]!.value;
    assert.ok(noLiveLinks(status), status);
    assert.doesNotMatch(status, /^# /m, 'no heading');
  });
});

describe('bounded answers and bounded retries', () => {
  let world: TestWorld;
  afterEach(() => world?.stop());

  test('an API answer of several MB is refused as garbage, and the bot keeps serving', async () => {
    world = await TestWorld.start();
    world.sim.injectNext({ pathIncludes: '/submit/imagine' }, { status: 200, rawBody: `{"code":1,"result":"${'7'.repeat(6 * 1024 * 1024)}"}` });
    const interaction = await world.command('imagine', { prompt: 'a huge answer' });
    assert.match(await world.privateAnswer(interaction), /could not understand/);
    const next = await world.command('imagine', { prompt: 'a normal answer' });
    assert.ok(isDone(await world.untilOriginal(next, isDone, 'the next card')));
  });

  test('Discord refusing every upload (413 / 40005): the card ends with links, and no log line holds the token', async () => {
    world = await TestWorld.start();
    world.discord.failNext({ method: 'PATCH', withFiles: true, status: 413, code: 40005, message: 'Request entity too large', times: 1000 });
    world.discord.failNext({ method: 'POST', withFiles: true, status: 413, code: 40005, message: 'Request entity too large', times: 1000 });
    const interaction = await world.command('imagine', { prompt: 'a cat too large' });
    const card = await world.untilOriginal(interaction, (m) => /✅ Done/.test(embedText(m)), 'the final card, without files');
    assert.equal(card.attachments.length, 0);
    assert.match(embedText(card), /Results: \[Image/, 'the results are linked');
    assert.match(embedText(card), /Discord refused the files/);
    const uploads = world.discord.calls.filter((c) => c.files.length > 0);
    assert.ok(uploads.length >= 1 && uploads.length <= 3, `uploads tried a bounded number of times: ${uploads.length}`);
    await world.discord.waitFor(() => !world.app.tracker.tracking(/Task (\S+)/.exec(embedText(card))![1]!), 'the task to leave memory');
    assertNoSecrets(world, interaction);
  });

  test("a result over the server's upload limit (attachment_size_limit, below MAX_UPLOAD_BYTES): linked at once, no upload tried", async () => {
    // The simulator's grid is a PNG of some kilobytes: over a 1 KB limit, under the default MAX_UPLOAD_BYTES.
    world = await TestWorld.start({ discord: { attachmentSizeLimit: 1024 } });
    const interaction = await world.command('imagine', { prompt: 'a cat over the server limit' });
    const card = await world.untilOriginal(interaction, (m) => /✅ Done/.test(embedText(m)), 'the final card, without files');
    assert.equal(card.attachments.length, 0);
    assert.match(embedText(card), /Results: \[Image/, 'the results are linked');
    assert.deepEqual(world.discord.calls.filter((c) => c.files.length > 0).map((c) => c.status), [], 'no upload Discord would refuse');
    const taskId = /Task (\S+)/.exec(embedText(card))![1]!;
    assert.equal((await world.app.store.tasks.get(taskId))?.message.uploadLimit, 1024, 'the limit is kept with the card (a restart or another process finishes it)');
  });

  test('Discord refusing the final card for good (400): tried a few times, then the task leaves memory', async () => {
    world = await TestWorld.start();
    const interaction = await world.command('imagine', { prompt: 'a card Discord hates' });
    const taskId = await taskIdOf(world, 'a card Discord hates');
    world.discord.failNext({ method: 'PATCH', status: 400, code: 50035, message: 'Invalid Form Body', times: 1000 });
    await world.discord.waitFor(() => world.sim.getTask(taskId) && (world.sim.getTask(taskId) as { status: string }).status === 'SUCCESS', 'the task to finish');
    await world.discord.waitFor(() => !world.app.tracker.tracking(taskId), 'the task to leave memory', 20_000);
    const refusedFinals = world.discord.calls.filter((c) => c.method === 'PATCH' && c.status === 400 && /✅ Done/.test(JSON.stringify(c.body)));
    assert.ok(refusedFinals.length >= 1 && refusedFinals.length <= 4, `the final card was tried a bounded number of times: ${refusedFinals.length}`);
    assertNoSecrets(world, interaction);
    const record = await world.app.store.tasks.get(taskId);
    assert.equal(record?.message.interaction, undefined, 'the interaction token is not kept');
  });
});

/** No log line holds the interaction token, a webhook URL with it, the bot token, or request bodies. */
function assertNoSecrets(world: TestWorld, interaction: LocalInteraction): void {
  const logs = world.logs.text;
  assert.ok(logs.includes('Discord refused'), 'the run did log the refusals');
  assert.ok(!logs.includes(interaction.token), 'the interaction token is not logged');
  assert.ok(!logs.includes(world.discord.botToken), 'the bot token is not logged');
  assert.doesNotMatch(logs, /"(requestBody|rawError|files)":(?!"\[redacted\]")/, 'no request bodies or files');
  assert.doesNotMatch(logs, /webhooks\/\d+\/(?!\[redacted\])[^/"\s]+/, 'no webhook URL with its token');
}

describe('HTTP server', () => {
  let world: TestWorld;
  afterEach(() => world?.stop());

  test('binds to 127.0.0.1 by default and to HTTP_HOST when set', async () => {
    world = await TestWorld.start();
    assert.equal(world.app.httpAddress, '127.0.0.1');
    await world.stop();
    world = await TestWorld.start({ env: { HTTP_HOST: '0.0.0.0' } });
    assert.equal(world.app.httpAddress, '0.0.0.0');
    assert.equal((await fetch(`http://127.0.0.1:${world.app.httpPort}/healthz`)).status, 200);
  });

  test('/healthz reads (no store write per request) and answers from a one-second cache', async () => {
    world = await TestWorld.start();
    const url = `http://127.0.0.1:${world.app.httpPort}/healthz`;
    const first = (await (await fetch(url)).json()) as { checkedAt: string; ok: boolean };
    const second = (await (await fetch(url)).json()) as { checkedAt: string };
    assert.equal(first.ok, true);
    assert.equal(second.checkedAt, first.checkedAt, 'the second probe within a second is the cached answer');
    world.clock.advance(1_500);
    const third = (await (await fetch(url)).json()) as { checkedAt: string };
    assert.notEqual(third.checkedAt, first.checkedAt, 'checked again after a second');
    assert.equal(await world.app.store.meta.get('ping'), undefined, 'nothing was written');
  });
});

describe('members cannot grow the memory of a long-running bot', () => {
  let world: TestWorld;
  before(async () => {
    world = await TestWorld.start();
  });
  after(async () => {
    await world.stop();
  });

  test('every interaction brings its member and user, and discord.js keeps only the last few of them', async () => {
    const members = Array.from({ length: CACHED_MEMBERS + 30 }, (_, i) => user(`9${String(i).padStart(17, '0')}`, `member${i}`));
    for (let i = 0; i < members.length; i += 10) {
      const answered = await Promise.all(members.slice(i, i + 10).map((member) => world.command('quota', {}, { user: member })));
      for (const interaction of answered) assert.ok(interaction.callback, 'every member gets an answer');
    }
    const { client } = world.app;
    const guild = client.guilds.cache.get(world.discord.guildId)!;
    assert.ok(client.users.cache.size <= CACHED_MEMBERS + 1, `users cached: ${client.users.cache.size}`);
    assert.ok(guild.members.cache.size <= CACHED_MEMBERS + 1, `members cached: ${guild.members.cache.size}`);
    assert.ok(client.users.cache.has(client.user!.id), 'the bot’s own user is kept');
    assert.ok(client.users.cache.has(members.at(-1)!.id), 'the latest member is cached');
  });
});
