import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FaultReply } from './support/simulator';
import type { LocalInteraction } from '../src/playground/discord';
import { TestWorld } from './support/harness';
import { buttonId, image, isDone } from './support/surface';

/** Nothing a member reads may look like this. */
const RAW = /\{"|"code"|at \S+\.[jt]s:\d+|Error:|undefined|\[object/;

/** Submit answers of every kind, on every command: each names the cause in words, privately, and nothing crashes. */
describe('API errors on every command', () => {
  let world: TestWorld;
  before(async () => {
    world = await TestWorld.start({ env: { MJ_PROVIDER: 'trueai', MAX_UPLOAD_BYTES: '16384' } });
  });
  after(() => world.stop());

  /** Runs a command with the next submit to `path` answered by `reply`; returns what the member was told. */
  async function answerTo(path: string, reply: FaultReply | undefined, run: () => LocalInteraction): Promise<{ text: string; calls: number; interaction: LocalInteraction }> {
    const before = world.sim.requestCount(path);
    if (reply) world.sim.injectNext({ pathIncludes: path }, reply);
    const interaction = run();
    await world.discord.answered(interaction);
    const text = await world.privateAnswer(interaction);
    assert.doesNotMatch(text, RAW, `raw text shown to the member: ${text}`);
    const original = world.discord.original(interaction);
    assert.ok(!original || original.deleted || original.flags & 64, 'no public placeholder is left behind');
    return { text, calls: world.sim.requestCount(path) - before, interaction };
  }
  const cmd = (name: string, options: Record<string, unknown>) => () => world.discord.command(name, options as never);
  const twoImages = () => ({ image1: image(world, 1), image2: image(world, 2) });

  test('code 3 (task unknown) on a button', async () => {
    const i = await world.command('imagine', { prompt: 'a fox' });
    const grid = await world.untilOriginal(i, isDone, 'the grid');
    const { text, calls } = await answerTo('/submit/action', { status: 200, body: { code: 3, description: '关联任务不存在或已失效', result: null } }, () =>
      world.discord.click(grid.id, buttonId(grid, 'U3')),
    );
    assert.match(text, /could not find that task/);
    assert.equal(calls, 1);
  });

  test('code 4 (validation) on /blend names what the service said', async () => {
    const { text } = await answerTo('/submit/blend', { status: 200, body: { code: 4, description: 'base64格式错误', result: null } }, cmd('blend', twoImages()));
    assert.match(text, /rejected the request\. The service said: “.+”/);
  });

  test('code 9 (failure) on /shorten, and code 9 "queue full" on /video', async () => {
    const failed = await answerTo('/submit/shorten', { status: 200, body: { code: 9, description: '提交失败', result: null } }, cmd('shorten', { prompt: 'a fox' }));
    assert.match(failed.text, /could not take the request.*Try again later/);
    world.sim.configure({ queueFullAfter: 0, queueSize: 0 });
    try {
      const full = await answerTo('/submit/video', undefined, cmd('video', { prompt: 'runs', link: 'https://example.com/a.png' }));
      assert.match(full.text, /queue is full/);
    } finally {
      world.sim.configure({ queueFullAfter: Infinity, queueSize: Infinity });
    }
  });

  test('code 23 (queue full) on /describe', async () => {
    const { text } = await answerTo('/submit/describe', { status: 200, body: { code: 23, description: '队列已满，请稍后尝试', result: null } }, cmd('describe', { link: 'https://example.com/a.png' }));
    assert.match(text, /queue is full.*Try again in a few minutes/);
  });

  test('code 24 (banned) on /video and /edit names the banned word', async () => {
    const banned = { status: 200, body: { code: 24, description: '可能包含敏感词', properties: { bannedWord: 'gore' }, result: null } };
    assert.match((await answerTo('/submit/video', banned, cmd('video', { prompt: 'gore', link: 'https://example.com/a.png' }))).text, /the word “gore”/);
    assert.match((await answerTo('/submit/edits', banned, cmd('edit', { prompt: 'gore', image: image(world, 3) }))).text, /the word “gore”/);
  });

  test('the {success:false} envelope (trueai limits) on /blend', async () => {
    world.sim.configure({ limitReached: true });
    try {
      const { text } = await answerTo('/submit/blend', undefined, cmd('blend', twoImages()));
      assert.match(text, /usage limit/);
    } finally {
      world.sim.configure({ limitReached: false });
    }
  });

  test('an HTTP 400 envelope on /edit (reseller quota) is explained, not dumped', async () => {
    const { text } = await answerTo('/submit/edits', { status: 400, body: { code: 4, description: 'quota_not_enough', result: null } }, cmd('edit', { prompt: 'night', image: image(world, 4) }));
    assert.match(text, /out of credit/);
  });

  test('401 and 403 tell the member the bot is misconfigured and log a hint for the admin, never the key', async () => {
    const unauthorized = await answerTo('/submit/shorten', { status: 401, rawBody: 'Authorization header missing.' }, cmd('shorten', { prompt: 'a fox' }));
    assert.match(unauthorized.text, /bot is misconfigured.*tell a server admin/);
    const forbidden = await answerTo('/insight-face/swap', { status: 403, body: { message: 'Forbidden' } }, cmd('swapface', { source: image(world, 5), target: image(world, 6) }));
    assert.match(forbidden.text, /bot is misconfigured/);
    assert.ok(world.logs.lines.filter((l) => /MJ_API_KEY/.test(String(l.msg))).length >= 2, 'a hint for the admin each time');
    assert.ok(!world.logs.text.includes('test-api-key-secret'), 'the key never reaches the log');
  });

  test('429s are retried (a refused request costs nothing), a few times at most, then the member hears the service is busy', async () => {
    const busy = { status: 429, body: { code: 30, description: '当前分组负载已饱和' } };
    for (let n = 0; n < 3; n++) world.sim.injectNext({ pathIncludes: '/submit/describe' }, busy);
    const { text, calls } = await answerTo('/submit/describe', undefined, cmd('describe', { link: 'https://example.com/b.png' }));
    assert.match(text, /service is busy/);
    assert.equal(calls, 3);

    const blends = world.sim.requestCount('/submit/blend');
    world.sim.injectNext({ pathIncludes: '/submit/blend' }, busy);
    const i = await world.command('blend', twoImages());
    await world.untilOriginal(i, isDone, 'the blend after one 429');
    assert.equal(world.sim.requestCount('/submit/blend') - blends, 2, 'one 429, then the retry that was taken');
  });

  test('a 5xx on a submit is never sent twice (it may have been charged), and the member is told to try later', async () => {
    const { text, calls } = await answerTo('/submit/edits', { status: 502, rawBody: '<html>Bad Gateway</html>' }, cmd('edit', { prompt: 'night', image: image(world, 7) }));
    assert.match(text, /cannot be reached right now/);
    assert.equal(calls, 1);
  });

  test('the bot keeps serving after all of that', async () => {
    const i = await world.command('shorten', { prompt: 'a fox in the snow' });
    await world.untilOriginal(i, isDone, 'a shorten after the errors');
  });
});

/** Input checks: each gets a private message that says what to fix, and no API call is made. */
describe('input checks on every command', () => {
  let world: TestWorld;
  before(async () => {
    world = await TestWorld.start({ env: { MAX_UPLOAD_BYTES: '16384' } });
  });
  after(() => world.stop());

  const notAnImage = () => world.discord.addAttachment('holiday.png', Buffer.from('this is a text file, not a picture'), 'image/png');
  const tooBig = () => world.discord.addAttachment('huge.png', Buffer.alloc(16), 'image/png', 50_000);

  const cases: Array<[string, () => [string, Record<string, unknown>], RegExp]> = [
    ['an empty prompt', () => ['imagine', { prompt: '  ' }], /prompt/i],
    ['a prompt over the provider limit', () => ['imagine', { prompt: 'x'.repeat(6001) }], /at most 6,000/],
    ['a reference image that is not an image', () => ['imagine', { prompt: 'a fox', image: notAnImage() }], /not a PNG, JPEG, WebP or GIF/],
    ['a blend of one image', () => ['blend', { image1: image(world, 1) }], /at least two images/],
    ['a blend with a file that is not an image', () => ['blend', { image1: image(world, 1), image2: notAnImage() }], /not a PNG, JPEG, WebP or GIF/],
    ['a describe with neither image nor link', () => ['describe', {}], /image or give a link/],
    ['a describe with both', () => ['describe', { image: image(world, 2), link: 'https://example.com/a.png' }], /either an image or a link, not both/],
    ['a link that is not http(s)', () => ['describe', { link: 'ftp://example.com/a.png' }], /http:\/\/ or https:\/\//],
    ['an empty shorten prompt', () => ['shorten', { prompt: '' }], /prompt/i],
    ['a video frame over the size cap', () => ['video', { prompt: 'runs', image: tooBig() }], /48\.8 KB; the limit is 16 KB/],
    ['a video link that is not http(s)', () => ['video', { prompt: 'runs', link: 'javascript:alert(1)' }], /http:\/\/ or https:\/\//],
    ['an edit of a file that is not an image', () => ['edit', { prompt: 'night', image: notAnImage() }], /not a PNG, JPEG, WebP or GIF/],
    ['a face swap over the size cap', () => ['swapface', { source: tooBig(), target: image(world, 3) }], /limit is 16 KB/],
  ];

  for (const [what, build, expected] of cases) {
    test(`${what} is refused privately, with no API call`, async () => {
      const [name, options] = build();
      const i = await world.command(name, options as never);
      const text = await world.privateAnswer(i);
      assert.match(text, expected);
      assert.doesNotMatch(text, RAW);
      assert.equal(world.sim.requestCount('/submit/') + world.sim.requestCount('/insight-face/'), 0, 'no submit reached the API');
    });
  }
});
