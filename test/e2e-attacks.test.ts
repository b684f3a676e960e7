import assert from 'node:assert/strict';
import { request } from 'node:http';
import { deflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { encodePng, PNG_SIGNATURE, pngChunk } from '../src/simulator';
import type { LocalMessage } from '../src/playground/discord';
import { embedText, TestWorld } from './support/harness';
import { freePort } from './support/ports';
import { buttonId, isDone } from './support/surface';

/** Issue 21: what someone who reaches the bot's HTTP port, or types into Discord, tries; each is refused cheaply. */

const IMAGE = 256;
const NOTIFY_SECRET = 'notify-secret-0123456789abcdef';

/** A PNG whose header says `width` × `height` RGBA and whose data inflates to that many zero bytes: ~65 KB for 4096². */
function pngBomb(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const data = deflateSync(Buffer.alloc((width * 4 + 1) * height), { level: 9 });
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', data), pngChunk('IEND', Buffer.alloc(0))]);
}

/**
 * Sends a request's headers announcing `bytes` of body, and resolves with the status as soon as the bot answers,
 * without sending the body: a route that reads bodies before deciding would never answer.
 */
function answerBeforeBody(url: string, bytes: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(bytes), ...headers } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    // Bounded: a server that waits for the body never answers, and the test fails instead of hanging.
    req.setTimeout(5_000, () => reject(new Error(`${url}: no answer before the body was sent`)));
    req.flushHeaders();
  });
}

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const maskOf = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;
/** The top half painted: a mask the editor takes. */
function goodMask(): Buffer {
  const pixels = Buffer.alloc(IMAGE * IMAGE * 4);
  for (let i = 0; i < pixels.length; i += 4) pixels.writeUInt32BE(i < pixels.length / 2 ? 0xffffffff : 0x000000ff, i);
  return encodePng(IMAGE, IMAGE, pixels, 4);
}

describe('attacks on the HTTP port and the start path', () => {
  let world: TestWorld;
  let upscale: LocalMessage;
  let base: string;
  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    world = await TestWorld.start({
      env: { HTTP_PORT: String(port), PUBLIC_URL: base, NOTIFY_SECRET, MJ_PROVIDER: 'trueai' },
      simulator: { imageSize: IMAGE },
    });
    const grid = await world.untilOriginal(await world.command('imagine', { prompt: 'a lighthouse' }), isDone, 'the grid');
    upscale = await world.untilOriginal(world.discord.click(grid.id, buttonId(grid, 'U1')), isDone, 'the upscale');
  });
  after(() => world?.stop());

  /** A fresh region editor link for alice's upscale. */
  async function editorLink(): Promise<string> {
    const click = world.discord.click(upscale.id, buttonId(upscale, 'Vary (Region)'));
    const callback = await world.discord.answered(click);
    return String(callback.data.components[0].components[0].url);
  }

  test('a made-up editor token, a wrong notify secret or a form body: answered before one byte of the body is read', async () => {
    const twelve = 12 * 1024 * 1024;
    assert.equal(await answerBeforeBody(`${base}/editor/${'A'.repeat(32)}`, twelve), 404);
    assert.equal(await answerBeforeBody(`${base}/editor/not-even-a-token`, twelve), 404);
    assert.equal(await answerBeforeBody(`${base}/mj/notify/wrong-secret-0123456789`, twelve), 404);
    assert.equal(await answerBeforeBody(`${base}/mj/notify/${NOTIFY_SECRET}`, twelve), 413, 'a callback is a few KB');
    assert.equal(await answerBeforeBody(`${base}/mj/notify/${NOTIFY_SECRET}`, 100, { 'content-type': 'multipart/form-data; boundary=x' }), 415);
    const link = await editorLink();
    assert.equal(await answerBeforeBody(link, 1000, { 'content-type': 'application/x-www-form-urlencoded' }), 415);
    assert.equal(await answerBeforeBody(link, twelve), 413, `a ${IMAGE}² image's mask is a few KB: 12 MB is refused unread`);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });

  test('a PNG bomb is refused from its header, before inflating; memory stays flat; repeated refusals are rate-limited', async () => {
    const link = await editorLink();
    const bomb = pngBomb(4096, 4096);
    assert.ok(bomb.length < 100_000, `the bomb is small (${bomb.length} bytes) and inflates to 64 MB`);
    const actionsBefore = world.sim.requestCount('/submit/action');
    const rssBefore = process.memoryUsage().rss;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const answer = await post(link, { prompt: 'a door', mask: maskOf(bomb) });
      statuses.push(answer.status);
      assert.match(((await answer.json()) as { error: string }).error, /not the size of the image/);
    }
    assert.deepEqual(statuses, [400, 400, 400, 400, 400]);
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(grown < 48 * 1024 * 1024, `five bombs grew RSS by ${Math.round(grown / 1048576)} MB (one inflated would take 64 MB)`);
    // The sixth refusal within a minute is not even read; a good mask on the same link waits for the minute to pass.
    assert.equal(await answerBeforeBody(link, 1000), 429);
    world.clock.advance(61_000);
    const good = await post(link, { prompt: 'a door', mask: maskOf(goodMask()) });
    assert.equal(good.status, 200, 'after a minute the link works again');
    assert.equal(world.sim.requestCount('/submit/action'), actionsBefore + 1, 'only the good mask reached the API');
  });

  test('a region edit whose token expires during the API calls: the card is posted in the channel, the task tracked and counted, the slot returned', async () => {
    const link = await editorLink();
    const { guildId, alice, channelId } = world.discord;
    const scope = `${guildId}:${alice.id}`;
    const usedBefore = (await world.app.ctx.quotas.status({ guildId, userId: alice.id, name: 'alice', channelId, roleIds: [], admin: true })).usedToday;
    const messagesBefore = new Set(world.discord.world.messages.keys());
    // The modal submit takes a while; meanwhile the click's 15 minutes run out.
    world.sim.injectNext({ method: 'POST', pathIncludes: '/submit/modal' }, { delayMs: 400 });
    const sent = post(link, { prompt: 'a red door', mask: maskOf(goodMask()) });
    await world.discord.waitFor(() => world.sim.requests.some((r) => r.path.endsWith('/submit/modal') && r.status === 0) || undefined, 'the modal submit on its way');
    world.clock.advance(15 * 60_000);
    assert.equal((await sent).status, 200);
    const card = await world.discord.waitFor(() => {
      const fresh = [...world.discord.world.messages.values()].filter((m) => !messagesBefore.has(m.id) && m.channel_id === channelId && !m.webhook_id);
      return fresh.find((m) => /Vary \(Region\)/.test(embedText(m)) && isDone(m));
    }, 'the card, posted with the bot token, finished', 15_000);
    const taskId = /Task (\d+)/.exec(embedText(card))?.[1];
    assert.ok(taskId && (await world.app.store.usage.get(taskId)), 'the task is in usage');
    const status = await world.app.ctx.quotas.status({ guildId, userId: alice.id, name: 'alice', channelId, roleIds: [], admin: true });
    assert.equal(status.usedToday, usedBefore + 1, 'counted once');
    await world.until(async () => (await world.app.store.coordinator.memberTaskCount(guildId, alice.id)) === 0, 'the task to leave the in-flight set');
    assert.equal(await world.app.store.coordinator.reserved(scope), 0, 'no slot left reserved');
  });

  test('a region edit with less than 30 s left on its token is refused before anything is sent', async () => {
    const link = await editorLink();
    const actionsBefore = world.sim.requestCount('/submit/action');
    world.clock.advance(15 * 60_000 - 20_000);
    const late = await post(link, { prompt: 'a blue door', mask: maskOf(goodMask()) });
    assert.equal(late.status, 400);
    assert.match(((await late.json()) as { error: string }).error, /Less than half a minute is left/);
    assert.equal(world.sim.requestCount('/submit/action'), actionsBefore);
    assert.equal(await world.app.store.coordinator.reserved(`${world.discord.guildId}:${world.discord.alice.id}`), 0);
  });

  test('an API error that echoes the request: the member and the log see neither the notify secret nor the API key', async () => {
    const key = world.env.MJ_API_KEY!;
    const echo = `bad request: notifyHook=${base}/mj/notify/${NOTIFY_SECRET} headers mj-api-secret=${key} prompt too odd`;
    world.sim.injectNext({ method: 'POST', pathIncludes: '/submit/imagine' }, { status: 200, body: { code: 4, description: echo, result: null } });
    const interaction = await world.command('imagine', { prompt: 'a cat that makes the API talk' });
    const answer = await world.privateAnswer(interaction);
    assert.match(answer, /prompt too odd/, 'the API’s words are shown');
    assert.doesNotMatch(answer, new RegExp(NOTIFY_SECRET));
    assert.doesNotMatch(answer, new RegExp(key));
    await world.until(() => world.logs.text.includes('prompt too odd') || undefined, 'the failure logged');
    assert.ok(!world.logs.text.includes(key), 'the API key is not in the log');
    assert.ok(!world.logs.text.includes(NOTIFY_SECRET), 'the notify secret is not in the log');
  });

  test('a failed task whose reason echoes a secret: the card shows the reason without it', async () => {
    const key = world.env.MJ_API_KEY!;
    const interaction = await world.command('imagine', { prompt: 'a task that fails loudly' });
    const taskId = await world.discord.waitFor(() => [...world.sim.tasks.values()].find((t) => t.prompt.includes('fails loudly'))?.id, 'the task');
    world.sim.failTask(taskId, `upstream refused key ${key}`);
    const card = await world.untilOriginal(interaction, (m) => /upstream refused key/.test(embedText(m)), 'the failed card');
    assert.ok(!JSON.stringify(card).includes(key));
  });

  test('links that point inside a network are refused before the API is asked to fetch them', async () => {
    const before = world.sim.requestCount('/submit/');
    for (const link of ['http://127.0.0.1:6379/x.png', 'http://169.254.169.254/latest/meta-data/', 'http://[::127.0.0.1]/x.png', 'http://db.private.test/x.png', 'http://mixed.test/x.png']) {
      const describe = await world.command('describe', { link });
      assert.match(await world.privateAnswer(describe), /must point at a public web site/, link);
      const video = await world.command('video', { prompt: 'runs', link });
      assert.match(await world.privateAnswer(video), /must point at a public web site/, link);
    }
    assert.equal(world.sim.requestCount('/submit/'), before, 'nothing was sent');
  });

  test('the region editor reads the member again at submit: a role taken away since the click counts, and a member who left is refused', async () => {
    const { guildId, bob } = world.discord;
    const patron = world.discord.addRole('Patron');
    world.discord.world.memberRoles.set(bob.id, [patron.id]);
    await world.app.ctx.settings.update(guildId, (s) => {
      s.limits[guildId] = { daily: 0, concurrent: 1 };
      s.limits[patron.id] = { daily: 50, concurrent: 3 };
    });
    try {
      const grid = await world.untilOriginal(await world.command('imagine', { prompt: 'a harbour' }, { user: bob }), isDone, 'bob’s grid');
      const up = await world.untilOriginal(world.discord.click(grid.id, buttonId(grid, 'U2'), { user: bob }), isDone, 'bob’s upscale');
      const linkFor = async () => String((await world.discord.answered(world.discord.click(up.id, buttonId(up, 'Vary (Region)'), { user: bob }))).data.components[0].components[0].url);
      const first = await linkFor();
      world.discord.world.memberRoles.set(bob.id, []);
      const actionsBefore = world.sim.requestCount('/submit/action');
      const refused = await post(first, { prompt: 'a boat', mask: maskOf(goodMask()) });
      assert.equal(refused.status, 400);
      assert.match(((await refused.json()) as { error: string }).error, /Your roles don't include the Midjourney bot/);
      const second = await linkFor();
      world.discord.world.departed.add(bob.id);
      const gone = await post(second, { prompt: 'a boat', mask: maskOf(goodMask()) });
      assert.match(((await gone.json()) as { error: string }).error, /no longer a member/);
      assert.equal(world.sim.requestCount('/submit/action'), actionsBefore, 'nothing was sent');
    } finally {
      world.discord.world.departed.delete(bob.id);
      world.discord.world.memberRoles.delete(bob.id);
      await world.clearSettings();
    }
  });
});
