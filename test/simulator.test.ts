import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { midjourneyButton, parseAction, RESULT_BUTTONS, type KnownAction, type ResultKind } from '../src/mj/actions';
import { actionAccepted, PROVIDERS } from '../src/mj/providers';
import { startTestSimulator as startSimulator, type TestSimulatorOptions as SimulatorOptions } from './support/simulator';

/** Real HTTP against the running simulator. */

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: Buffer;
  json: any;
}

async function call(url: string, method: 'GET' | 'POST', body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, bytes, json };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PNG_1x1 =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';

/** A simulator on a manual clock: time only moves with advance(), so nothing depends on the machine's speed. */
async function sim(options: SimulatorOptions = {}) {
  let now = Date.now();
  const simulator = await startSimulator({ queueMs: 50, runMs: 300, imageSize: 64, clock: () => now, ...options });
  const api = {
    simulator,
    advance(ms: number) {
      now += ms;
    },
    post: (path: string, body: unknown, headers?: Record<string, string>) => call(simulator.url + path, 'POST', body, headers),
    get: (path: string, headers?: Record<string, string>) => call(simulator.url + path, 'GET', undefined, headers),
    async fetchTask(id: string, prefix = '') {
      return (await api.get(`${prefix}/mj/task/${id}/fetch`)).json;
    },
    /** Submits, then jumps the clock past the task's end and returns the finished task. */
    async finished(path: string, body: unknown) {
      const answer = await api.post(path, body);
      assert.equal(answer.json?.code, 1, `submit ${path}: ${answer.text}`);
      api.advance(10_000);
      return api.fetchTask(String(answer.json.result));
    },
  };
  return api;
}

function parsePng(png: Buffer): { width: number; height: number; raw: Buffer } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return { width, height, raw: inflateSync(Buffer.concat(idat)) };
}

describe('simulator: imagine life cycle (trueai)', () => {
  let t: Awaited<ReturnType<typeof sim>>;
  before(async () => {
    t = await sim();
  });
  after(() => t.simulator.close());

  it('goes SUBMITTED → IN_PROGRESS with rising percent and changing previews → SUCCESS with 9 buttons', async () => {
    const submitted = await t.post('/mj/submit/imagine', { prompt: 'a red fox in the snow', state: 'abc' });
    assert.equal(submitted.status, 200);
    assert.equal(submitted.json.code, 1);
    assert.match(submitted.json.result, /^\d{16}$/);
    assert.ok(submitted.json.properties.discordInstanceId);
    const id = submitted.json.result as string;
    // The clock moves 25 ms between polls (queueMs 50, runMs 300).
    const seen: any[] = [];
    for (let i = 0; i < 40; i++) {
      const task = await t.fetchTask(id);
      seen.push(task);
      if (task.status === 'SUCCESS') break;
      t.advance(25);
    }
    const statuses = [...new Set(seen.map((x) => x.status))];
    assert.deepEqual(statuses, ['SUBMITTED', 'IN_PROGRESS', 'SUCCESS']);
    assert.equal(seen[0].progress, '0%');
    const running = seen.filter((x) => x.status === 'IN_PROGRESS');
    const percents = [...new Set(running.map((x) => Number.parseInt(x.progress, 10)))];
    assert.ok(percents.length >= 3, `distinct percents: ${percents}`);
    assert.deepEqual(percents, [...percents].sort((a, b) => a - b), 'percent only rises');
    const previews = [...new Set(running.map((x) => x.imageUrl))];
    assert.equal(previews.length, percents.length, 'one preview per percent');
    const done = seen.at(-1);
    assert.equal(done.progress, '100%');
    assert.equal(done.state, 'abc');
    assert.ok(done.finishTime >= done.startTime && done.startTime >= done.submitTime);
    assert.match(done.properties.messageHash, /^[0-9a-f-]{36}$/);
    assert.equal(done.properties.finalPrompt, 'a red fox in the snow --v 7.0');
    assert.equal(done.buttons.length, 9);
    const h = done.properties.messageHash;
    assert.deepEqual(
      done.buttons.map((b: any) => b.customId),
      [1, 2, 3, 4].map((i) => `MJ::JOB::upsample::${i}::${h}`)
        .concat([`MJ::JOB::reroll::0::${h}::SOLO`])
        .concat([1, 2, 3, 4].map((i) => `MJ::JOB::variation::${i}::${h}`)),
    );
    assert.deepEqual(done.buttons[4], { customId: `MJ::JOB::reroll::0::${h}::SOLO`, emoji: '🔄', label: '', type: 2, style: 2 });
    assert.equal(done.buttons[0].label, 'U1');

    const grid = await call(done.imageUrl, 'GET');
    assert.equal(grid.status, 200);
    assert.equal(grid.headers['content-type'], 'image/png');
    const png = parsePng(grid.bytes);
    assert.equal(png.width, 64);
    assert.equal(png.height, 64);
    assert.equal(png.raw.length, (64 * 3 + 1) * 64, 'IDAT inflates to the scanlines');
    const preview = await call(previews[0], 'GET');
    assert.equal(parsePng(preview.bytes).width, 64);
    assert.notDeepEqual(preview.bytes, grid.bytes);
    assert.deepEqual(t.simulator.getTask(id), await t.fetchTask(id));
  });
});

describe('simulator: buttons, modal flow, describe, shorten, video (trueai)', () => {
  let t: Awaited<ReturnType<typeof sim>>;
  let grid: any;
  before(async () => {
    t = await sim();
    grid = await t.finished('/mj/submit/imagine', { prompt: 'a lighthouse --ar 3:2' });
  });
  after(() => t.simulator.close());

  it('U2 gives a single image with the upscale set; Upscale (Subtle) drops the upscale pair', async () => {
    const h = grid.properties.messageHash;
    const up = await t.finished('/mj/submit/action', { taskId: grid.id, customId: `MJ::JOB::upsample::2::${h}` });
    assert.equal(up.action, 'UPSCALE');
    assert.equal(up.parentId, grid.id);
    const uh = up.properties.messageHash;
    assert.notEqual(uh, h);
    assert.deepEqual(
      up.buttons.map((b: any) => [b.label, b.emoji]),
      [
        ['Upscale (Subtle)', 'upscale_1'], ['Upscale (Creative)', 'upscale_1'], ['Vary (Subtle)', '🪄'], ['Vary (Strong)', '🪄'],
        ['Vary (Region)', '🖌️'], ['Zoom Out 2x', '🔍'], ['Zoom Out 1.5x', '🔍'], ['Custom Zoom', '🔍'], ['', '⬅️'], ['', '➡️'],
        ['', '⬆️'], ['', '⬇️'], ['Animate (High motion)', '🎞️'], ['Animate (Low motion)', '🎞️'], ['', '❤️'],
      ],
    );
    assert.equal(up.buttons[0].customId, `MJ::JOB::upsample_v7_2x_subtle::1::${uh}::SOLO`);
    assert.equal(up.buttons[7].customId, `MJ::CustomZoom::${uh}`);
    const image = parsePng((await call(up.imageUrl, 'GET')).bytes);
    assert.deepEqual([image.width, image.height], [64, 43], '--ar 3:2 kept');
    const hd = await t.finished('/mj/submit/action', { taskId: up.id, customId: up.buttons[0].customId });
    assert.equal(hd.action, 'UPSCALE_HD');
    assert.equal(hd.buttons.length, 13);
    assert.ok(!hd.buttons.some((b: any) => b.customId.includes('upsample')));
    const bookmark = await t.post('/mj/submit/action', { taskId: up.id, customId: `MJ::BOOKMARK::${uh}` });
    assert.deepEqual([bookmark.json.code, bookmark.json.result], [1, up.id]);
  });

  it('custom zoom answers 21, creates a MODAL task, and the modal (with --zoom) queues it', async () => {
    const up = await t.finished('/mj/submit/action', { taskId: grid.id, customId: `MJ::JOB::upsample::1::${grid.properties.messageHash}` });
    const zoom = await t.post('/mj/submit/action', { taskId: up.id, customId: `MJ::CustomZoom::${up.properties.messageHash}` });
    assert.equal(zoom.json.code, 21);
    assert.equal(zoom.json.description, 'Waiting for window confirm');
    assert.equal(zoom.json.properties.remix, true);
    assert.match(zoom.json.properties.finalPrompt, /--zoom 2$/);
    const id = zoom.json.result;
    assert.equal((await t.fetchTask(id)).status, 'MODAL');
    t.advance(60_000);
    assert.equal((await t.fetchTask(id)).status, 'MODAL', 'a MODAL task waits forever');
    for (const prompt of ['a lighthouse', 'a lighthouse --zoom 3']) {
      const bad = await t.post('/mj/submit/modal', { taskId: id, prompt });
      assert.equal(bad.json.code, 4, prompt);
    }
    const ok = await t.post('/mj/submit/modal', { taskId: id, prompt: 'a lighthouse --zoom 1.5' });
    assert.equal(ok.json.code, 1);
    assert.equal(ok.json.result, id);
    assert.equal((await t.fetchTask(id)).status, 'SUBMITTED');
    const again = await t.post('/mj/submit/modal', { taskId: id, prompt: 'x --zoom 1.5' });
    assert.deepEqual([again.json.code, again.json.description], [4, '关联任务状态错误']);
    t.advance(10_000);
    const done = await t.fetchTask(id);
    assert.deepEqual([done.status, done.action, done.buttons.length], ['SUCCESS', 'ZOOM', 9]);
    assert.equal(done.prompt, 'a lighthouse --zoom 1.5');
    const inpaint = await t.post('/mj/submit/action', { taskId: up.id, customId: `MJ::Inpaint::1::${up.properties.messageHash}::SOLO` });
    assert.equal(inpaint.json.code, 21);
    assert.equal((await t.post('/mj/submit/modal', { taskId: inpaint.json.result, prompt: 'a hat' })).json.code, 4, 'mask required');
    assert.equal((await t.post('/mj/submit/modal', { taskId: inpaint.json.result, prompt: 'a hat', maskBase64: PNG_1x1 })).json.code, 1);
  });

  it('validates actions like the real servers', async () => {
    const h = grid.properties.messageHash;
    const missing = await t.post('/mj/submit/action', { taskId: '1234567890123456', customId: `MJ::JOB::upsample::1::${h}` });
    assert.deepEqual([missing.status, missing.json.code, missing.json.description], [404, 3, '关联任务不存在或已失效']);
    const unknown = await t.post('/mj/submit/action', { taskId: grid.id, customId: 'MJ::JOB::nonsense::1' });
    assert.deepEqual([unknown.status, unknown.json.code, unknown.json.description], [200, 4, '未知的 Action 类型']);
    const pending = await t.post('/mj/submit/imagine', { prompt: 'still running' });
    const early = await t.post('/mj/submit/action', { taskId: pending.json.result, customId: `MJ::JOB::upsample::1::${h}` });
    assert.deepEqual([early.json.code, early.json.description], [4, '关联任务状态错误']);
    assert.equal((await t.post('/mj/submit/imagine', { prompt: '  ' })).json.description, 'prompt不能为空');
    assert.equal((await t.post('/mj/submit/blend', { base64Array: [PNG_1x1] })).json.code, 4);
    assert.equal((await t.post('/mj/submit/blend', { base64Array: [PNG_1x1, 'not base64!'] })).json.description, 'base64格式错误');
    const seed = await t.get(`/mj/task/${grid.id}/image-seed`);
    assert.deepEqual([seed.status, seed.json.code, seed.json.description], [200, 1, '成功']);
    assert.match(seed.json.result, /^\d+$/);
    assert.deepEqual([(await t.get(`/mj/task/${pending.json.result}/image-seed`)).status, (await t.get('/mj/task/1/image-seed')).status], [400, 404]);
  });

  it('remix mode turns variations into MODAL tasks', async () => {
    const h = grid.properties.messageHash;
    const remixed = await t.post('/mj/submit/action', { taskId: grid.id, customId: `MJ::JOB::variation::3::${h}`, enableRemix: true });
    assert.equal(remixed.json.code, 21);
    assert.equal(remixed.json.properties.finalPrompt, grid.properties.finalPrompt);
    const done = await t.finished('/mj/submit/modal', { taskId: remixed.json.result, prompt: 'a lighthouse at night' });
    assert.deepEqual([done.action, done.prompt, done.buttons.length], ['VARIATION', 'a lighthouse at night', 9]);
  });

  it('describe → PicReader (modal → IMAGINE) and Imagine all; shorten → PromptAnalyzer', async () => {
    const described = await t.finished('/mj/submit/describe', { base64: PNG_1x1 });
    assert.equal(described.action, 'DESCRIBE');
    assert.deepEqual((await call(described.imageUrl, 'GET')).bytes, Buffer.from(PNG_1x1.split(',')[1]!, 'base64'));
    const prompts = described.properties.finalPrompt.split('\n\n');
    assert.deepEqual(prompts.map((p: string) => p.slice(0, 3)), ['1️⃣', '2️⃣', '3️⃣', '4️⃣']);
    assert.equal(described.promptEn, described.properties.finalPrompt);
    assert.deepEqual(described.buttons.map((b: any) => b.customId), [
      'MJ::Job::PicReader::1', 'MJ::Job::PicReader::2', 'MJ::Job::PicReader::3', 'MJ::Job::PicReader::4', 'MJ::Picread::Retry', 'MJ::Job::PicReader::all',
    ]);
    const pick = await t.post('/mj/submit/action', { taskId: described.id, customId: 'MJ::Job::PicReader::2' });
    assert.equal(pick.json.code, 21);
    assert.equal(pick.json.properties.finalPrompt, prompts[1].slice(4));
    const imagined = await t.finished('/mj/submit/modal', { taskId: pick.json.result, prompt: '' });
    assert.deepEqual([imagined.action, imagined.prompt, imagined.buttons.length], ['IMAGINE', prompts[1].slice(4), 9]);
    const all = await t.post('/mj/submit/action', { taskId: described.id, customId: 'MJ::Job::PicReader::all' });
    assert.equal(all.json.code, 1);
    assert.equal(all.json.result.split(',').length, 4);
    const retry = await t.finished('/mj/submit/action', { taskId: described.id, customId: 'MJ::Picread::Retry' });
    assert.equal(retry.action, 'DESCRIBE');

    const short = await t.finished('/mj/submit/shorten', { prompt: 'a very detailed painting of a red fox in the snow --ar 3:2' });
    assert.match(short.properties.finalPrompt, /^## Important tokens\n.+\n\n## Shortened prompts\n1️⃣ .+\n\n2️⃣ .+\n\n3️⃣ .+\n\n4️⃣ .+\n\n5️⃣ .+--ar 3:2$/s);
    assert.equal(short.description, short.properties.finalPrompt);
    assert.equal(short.buttons.length, 6);
    assert.equal(short.buttons[5].label, 'Show Details');
    const analyzer = await t.post('/mj/submit/action', { taskId: short.id, customId: short.buttons[4].customId });
    assert.equal(analyzer.json.code, 21);
    const fromShort = await t.finished('/mj/submit/modal', { taskId: analyzer.json.result });
    assert.equal(fromShort.action, 'IMAGINE');
  });

  it('video: four mp4s, virtual upscale, extend; edits: four images; swap face: one image', async () => {
    t.simulator.configure({ videoBytes: 2048 });
    const video = await t.finished('/mj/submit/video', { prompt: 'the fox runs', image: PNG_1x1, motion: 'high', videoType: 'vid_1.1_i2v_720' });
    assert.deepEqual([video.action, video.videoType, video.videoUrls.length, video.buttons.length], ['VIDEO', 'vid_1.1_i2v_720', 4, 5]);
    const mp4 = await call(video.videoUrls[3].url, 'GET');
    assert.deepEqual([mp4.status, mp4.headers['content-type'], mp4.bytes.length, mp4.bytes.toString('latin1', 4, 8)], [200, 'video/mp4', 2048, 'ftyp']);
    assert.equal(parsePng((await call(video.imageUrl, 'GET')).bytes).width, 64);
    const one = await t.finished('/mj/submit/action', { taskId: video.id, customId: video.buttons[1].customId });
    assert.deepEqual(one.buttons.map((b: any) => b.label), ['Extend (High motion)', 'Extend (Low motion)']);
    assert.equal(one.videoUrls.length, 1);
    const extended = await t.finished('/mj/submit/video', { action: 'extend', taskId: one.id, index: 0, prompt: 'keeps running' });
    assert.equal(extended.videoUrls.length, 4);
    const edit = await t.finished('/mj/submit/edits', { prompt: 'make it night', image: PNG_1x1 });
    assert.deepEqual([edit.action, edit.imageUrls.length, edit.buttons.length], ['EDITS', 4, 0]);
    assert.equal(parsePng((await call(edit.imageUrls[2].url, 'GET')).bytes).height, 64);
    const swap = await t.finished('/mj/insight-face/swap', { sourceBase64: PNG_1x1, targetBase64: PNG_1x1 });
    assert.deepEqual([swap.action, swap.buttons.length], ['SWAP_FACE', 0]);
    const upload = await t.post('/mj/submit/upload-discord-images', { base64Array: [PNG_1x1] });
    assert.equal(upload.json.code, 1);
    assert.equal((await call(upload.json.result[0], 'GET')).headers['content-type'], 'image/png');
    assert.equal((await t.get(`/mjvideo/fetch/${video.id}`)).json.id, video.id);
  });
});

describe('simulator: queries, modes, queue codes, faults', () => {
  let t: Awaited<ReturnType<typeof sim>>;
  before(async () => {
    t = await sim();
  });
  after(() => t.simulator.close());

  it('list-by-condition returns known ids only (alias list-by-ids); disabled → 404', async () => {
    const a = (await t.post('/mj/submit/imagine', { prompt: 'one' })).json.result;
    const b = (await t.post('/mj/submit/imagine', { prompt: 'two' })).json.result;
    const list = await t.post('/mj/task/list-by-condition', { ids: [a, '1111111111111111', b] });
    assert.deepEqual(list.json.map((x: any) => x.id), [a, b]);
    assert.deepEqual((await t.post('/mj/task/list-by-ids', { ids: [b] })).json.map((x: any) => x.id), [b]);
    assert.deepEqual((await t.post('/mj/task/list-by-condition', {})).json, []);
    assert.equal((await t.get('/mj/task/list')).json[0].id, b, 'newest first');
    t.simulator.configure({ listByCondition: false });
    assert.equal((await t.post('/mj/task/list-by-condition', { ids: [a] })).status, 404);
    t.simulator.configure({ listByCondition: true });
    assert.equal((await t.get('/mj/task/1111111111111111/fetch')).status, 204);
  });

  it('records the speed mode from the path prefix or the prompt', async () => {
    const cases: Array<[string, string, string]> = [
      ['/mj-relax', 'x', 'RELAX'], ['/mj-turbo', 'x', 'TURBO'], ['/relax', 'x', 'RELAX'], ['/fast', 'x', 'FAST'], ['', 'x --relax', 'RELAX'], ['', 'x', 'FAST'],
    ];
    for (const [prefix, prompt, mode] of cases) {
      const id = (await t.post(`${prefix}/mj/submit/imagine`, { prompt })).json.result;
      const task = await t.fetchTask(id, prefix);
      assert.deepEqual([task.mode, task.requestMode], [mode, mode], `${prefix} ${prompt}`);
    }
    assert.equal((await t.post('/other/mj/submit/imagine', { prompt: 'x' })).status, 404);
  });

  it('answers 22 from queueFullAfter tasks in flight and 9 beyond queueSize; banned words fail the task', async () => {
    t.advance(60_000);
    t.simulator.configure({ queueFullAfter: 1, queueSize: 2 });
    assert.equal((await t.post('/mj/submit/imagine', { prompt: 'q1' })).json.code, 1);
    const queued = await t.post('/mj/submit/imagine', { prompt: 'q2' });
    assert.deepEqual([queued.json.code, queued.json.description, queued.json.properties.numberOfQueues], [22, '排队中，前面还有0个任务', 0]);
    assert.equal((await t.fetchTask(queued.json.result)).status, 'NOT_START');
    assert.equal((await t.post('/mj/submit/imagine', { prompt: 'q3' })).json.code, 22);
    const full = await t.post('/mj/submit/imagine', { prompt: 'q4' });
    assert.deepEqual([full.json.code, full.json.description], [9, '提交失败，队列已满，请稍后重试']);
    t.simulator.configure({ queueFullAfter: Infinity, queueSize: Infinity });
    const banned = await t.post('/mj/submit/imagine', { prompt: 'a BadWord here' });
    assert.equal(banned.json.code, 1);
    t.advance(10_000);
    const failed = await t.fetchTask(banned.json.result);
    assert.deepEqual([failed.status, failed.failReason, failed.progress], ['FAILURE', '可能包含敏感词', '']);
    t.simulator.configure({ limitReached: true });
    assert.deepEqual((await t.post('/mj/submit/imagine', { prompt: 'x' })).json.description, '并发数已达上限');
    const envelope = (await t.post('/mj/submit/describe', { base64: PNG_1x1 })).json;
    assert.deepEqual([envelope.success, envelope.code, envelope.message], [false, -1, '并发数已达上限']);
    t.simulator.configure({ limitReached: false });
  });

  it('stall, failTask, injectNext, setDown', async () => {
    const id = (await t.post('/mj/submit/imagine', { prompt: 'stall me' })).json.result;
    t.advance(100);
    t.simulator.stall(id, true);
    const frozen = await t.fetchTask(id);
    t.advance(10_000);
    assert.deepEqual(await t.fetchTask(id), frozen);
    t.simulator.stall(id, false);
    t.simulator.failTask(id, 'broken');
    const failed = await t.fetchTask(id);
    assert.deepEqual([failed.status, failed.failReason, failed.progress], ['FAILURE', 'broken', '']);

    t.simulator.injectNext({ method: 'POST', pathIncludes: '/submit/imagine' }, { status: 500, body: { error: 'boom' } });
    assert.deepEqual([(await t.get(`/mj/task/${id}/fetch`)).status, (await t.post('/mj/submit/imagine', { prompt: 'x' })).status], [200, 500]);
    const before = t.simulator.tasks.size;
    t.simulator.injectNext({ pathIncludes: '/submit/imagine' }, { destroySocket: true, process: true });
    await assert.rejects(t.post('/mj/submit/imagine', { prompt: 'lost answer' }));
    assert.equal(t.simulator.tasks.size, before + 1, 'the task exists although the answer was lost');
    t.simulator.setDown(true);
    assert.equal((await t.get(`/mj/task/${id}/fetch`)).status, 503);
    t.simulator.setDown(true, 'reset');
    await assert.rejects(t.get(`/mj/task/${id}/fetch`));
    t.simulator.setDown(false);
    assert.equal((await t.get(`/mj/task/${id}/fetch`)).status, 200);
    assert.ok(t.simulator.requestCount('/fetch') >= 4);
    const last = t.simulator.requests.at(-1)!;
    assert.deepEqual([last.method, last.status], ['GET', 200]);
    t.simulator.resetRequests();
    assert.equal(t.simulator.requestCount(), 0);
  });
});

describe('simulator: families', () => {
  it('open-source: mj-api-secret only, NZ shapes, no buttons, codes 22/23/24', async () => {
    const t = await sim({ family: 'open-source', apiKey: 'secret' });
    try {
      const denied = await t.post('/mj/submit/imagine', { prompt: 'x' });
      assert.deepEqual([denied.status, denied.text], [401, '']);
      assert.equal((await t.post('/mj/submit/imagine', { prompt: 'x' }, { authorization: 'secret' })).status, 401);
      const auth = { 'mj-api-secret': 'secret' };
      const ok = await t.post('/mj/submit/imagine', { prompt: 'x' }, auth);
      assert.equal(ok.json.code, 1);
      for (const path of ['/mj/submit/action', '/mj/submit/modal', '/mj/submit/shorten', '/mj/submit/video', '/mj/submit/edits', '/mj/insight-face/swap', '/mj-fast/mj/submit/imagine']) {
        assert.equal((await t.post(path, { prompt: 'x' }, auth)).status, 404, path);
      }
      const bare = await t.post('/mj/submit/describe', { base64: PNG_1x1.split(',')[1] }, auth);
      assert.deepEqual([bare.json.code, bare.json.description], [4, 'base64格式错误']);
      const banned = await t.post('/mj/submit/imagine', { prompt: 'a badword' }, auth);
      assert.deepEqual([banned.json.code, banned.json.properties], [24, { promptEn: 'a badword', bannedWord: 'badword' }]);
      const unknown = await t.get('/mj/task/1234/fetch', auth);
      assert.deepEqual([unknown.status, unknown.text], [200, '']);
      t.advance(10_000);
      const done = (await t.get(`/mj/task/${ok.json.result}/fetch`, auth)).json;
      assert.equal(done.status, 'SUCCESS');
      assert.equal(done.buttons, undefined);
      const change = await t.post('/mj/submit/simple-change', { content: `${done.id} U3` }, auth);
      assert.equal(change.json.code, 1);
      t.simulator.configure({ queueFullAfter: 1, queueSize: 1 });
      assert.equal((await t.post('/mj/submit/imagine', { prompt: 'q' }, auth)).json.code, 22);
      assert.equal((await t.post('/mj/submit/imagine', { prompt: 'q' }, auth)).json.code, 23);
    } finally {
      await t.simulator.close();
    }
  });

  it('trueai: Authorization raw value or mj-api-secret; 401 otherwise', async () => {
    const t = await sim({ apiKey: 'tok' });
    try {
      assert.equal((await t.post('/mj/submit/imagine', { prompt: 'x' }, { authorization: 'tok' })).json.code, 1);
      assert.equal((await t.post('/mj/submit/imagine', { prompt: 'x' }, { 'mj-api-secret': 'tok' })).json.code, 1);
      assert.equal((await t.post('/mj/submit/imagine', { prompt: 'x' }, { authorization: 'Bearer tok' })).status, 401);
      assert.equal((await t.get('/mj/task/1/fetch')).status, 401);
    } finally {
      await t.simulator.close();
    }
  });

  it('reseller: Bearer auth, new-api errors, reduced DTO, code rewrites, rejected actions', async () => {
    const t = await sim({ family: 'reseller', apiKey: 'sk-abc' });
    try {
      const denied = await t.post('/mj/submit/imagine', { prompt: 'x' }, { authorization: 'Bearer sk-wrong' });
      assert.deepEqual([denied.status, denied.json], [401, { error: { message: '无效的令牌', type: 'new_api_error' } }]);
      const auth = { authorization: 'Bearer sk-abc' };
      assert.equal((await t.post('/mj/submit/imagine', { prompt: 'x' }, { 'mj-api-secret': 'sk-abc' })).json.code, 1);
      const unknown = await t.get('/mj/task/1234/fetch', auth);
      assert.deepEqual([unknown.status, unknown.json], [400, { code: 4, description: 'task_no_found', type: 'upstream_error' }]);
      const empty = await t.post('/mj/submit/imagine', { prompt: '' }, auth);
      assert.deepEqual([empty.status, empty.json.type], [400, 'upstream_error']);
      const id = (await t.post('/mj-relax/mj/submit/imagine', { prompt: 'a fox', notifyHook: 'http://127.0.0.1:1/hook' }, auth)).json.result;
      t.advance(10_000);
      const task = (await t.get(`/mj/task/${id}/fetch`, auth)).json;
      assert.deepEqual(Object.keys(task).sort(), [
        'action', 'botType', 'buttons', 'customId', 'description', 'failReason', 'finishTime', 'id', 'imageUrl', 'maskBase64',
        'progress', 'prompt', 'promptEn', 'properties', 'startTime', 'state', 'status', 'submitTime', 'videoUrl', 'videoUrls',
      ]);
      assert.deepEqual(Object.keys(task.properties), ['finalPrompt', 'finalZhPrompt']);
      const h = /::([0-9a-f-]{36})$/.exec(task.buttons[0].customId)![1];
      const pic = await t.post('/mj/submit/action', { taskId: id, customId: 'MJ::Job::PicReader::1' }, auth);
      assert.deepEqual([pic.status, pic.json.description], [400, 'unknown_action:MJ::Job::PicReader::1']);
      const up = await t.post('/mj/submit/action', { taskId: id, customId: `MJ::JOB::upsample::1::${h}` }, auth);
      assert.equal(up.json.code, 1);
      t.advance(10_000);
      const upTask = (await t.get(`/mj/task/${up.json.result}/fetch`, auth)).json;
      const uh = /::([0-9a-f-]{36})::SOLO$/.exec(upTask.buttons[0].customId)![1];
      const zoom = await t.post('/mj/submit/action', { taskId: upTask.id, customId: `MJ::CustomZoom::${uh}` }, auth);
      assert.equal(zoom.json.code, 21, 'CustomZoom keeps 21');
      t.simulator.configure({ remix: true, numericIds: true });
      const vary = await t.post('/mj/submit/action', { taskId: upTask.id, customId: `MJ::JOB::low_variation::1::${uh}::SOLO` }, auth);
      assert.equal(vary.json.code, 1, '21 rewritten to 1');
      assert.equal(typeof vary.json.result, 'number');
      assert.equal((await t.get(`/mj/task/${vary.json.result}/fetch`, auth)).json.status, 'MODAL');
      t.simulator.configure({ remix: false, numericIds: false, queueFullAfter: 0 });
      assert.equal((await t.post('/mj/submit/imagine', { prompt: 'q' }, auth)).json.code, 1, '22 rewritten to 1');
      t.simulator.configure({ queueFullAfter: Infinity, saturated: true });
      const busy = await t.post('/mj/submit/imagine', { prompt: 'x' }, auth);
      assert.deepEqual([busy.status, busy.json.code], [429, 30]);
      t.simulator.configure({ saturated: false });
      const bad = await t.post('/mj/submit/imagine', { prompt: 'badword' }, auth);
      t.advance(10_000);
      const failed = (await t.get(`/mj/task/${bad.json.result}/fetch`, auth)).json;
      assert.deepEqual([failed.status, failed.progress], ['FAILURE', '100%']);
      assert.equal(t.simulator.tasks.get(id)!.notifyHook, undefined, 'notifyHook stripped');
    } finally {
      await t.simulator.close();
    }
  });
});

describe('simulator: its buttons are the bot’s action catalogue (src/mj/actions.ts)', () => {
  /** Every action kind the catalogue names: a new one does not compile here until it is listed. */
  const KINDS: Record<KnownAction['kind'], true> = {
    upscale: true, variation: true, reroll: true, 'upscale-more': true, vary: true, inpaint: true, 'zoom-out': true, 'zoom-custom': true,
    pan: true, animate: true, 'video-extend': true, 'video-upscale': true, bookmark: true, 'describe-prompt': true, 'describe-all': true,
    'describe-retry': true, 'shorten-prompt': true, 'shorten-details': true,
  };
  type Sim = Awaited<ReturnType<typeof sim>>;
  const pressed = (task: any, kind: KnownAction['kind']) => task.buttons.find((b: any) => parseAction(b.customId).kind === kind).customId as string;

  /** The finished task of every kind of result the simulator makes (on a reseller, those its actions reach). */
  async function results(t: Sim, reseller = false): Promise<Map<ResultKind, any>> {
    const press = (task: any, kind: KnownAction['kind']) => t.finished('/mj/submit/action', { taskId: task.id, customId: pressed(task, kind) });
    const out = new Map<ResultKind, any>();
    out.set('grid', await t.finished('/mj/submit/imagine', { prompt: 'a catalogue of foxes' }));
    out.set('upscale', await press(out.get('grid'), 'upscale'));
    out.set('upscale-more', await press(out.get('upscale'), 'upscale-more'));
    out.set('describe', await t.finished('/mj/submit/describe', { base64: PNG_1x1 }));
    out.set('shorten', await t.finished('/mj/submit/shorten', { prompt: 'a very detailed painting of a fox' }));
    out.set('video', await t.finished('/mj/submit/video', { prompt: 'the fox runs', image: PNG_1x1 }));
    if (!reseller) {
      out.set('shorten-details', await press(out.get('shorten'), 'shorten-details'));
      out.set('video-upscale', await press(out.get('video'), 'video-upscale'));
    }
    return out;
  }

  it('sends under each kind of result the buttons the catalogue says Midjourney shows; each reads back as its action', async () => {
    const t = await sim();
    try {
      const made = await results(t);
      assert.deepEqual([...made.keys()].sort(), Object.keys(RESULT_BUTTONS).sort(), 'every kind of result is made');
      for (const [kind, task] of made) {
        const h = task.properties.messageHash;
        const expected = RESULT_BUTTONS[kind].map((action) => ({ ...midjourneyButton(action, h), type: 2, style: 2 }));
        assert.deepEqual(task.buttons, expected, kind);
        RESULT_BUTTONS[kind].forEach((action, i) => assert.deepEqual(parseAction(task.buttons[i].customId), action, task.buttons[i].customId));
      }
      const offered = new Set([...made.values()].flatMap((task) => task.buttons.map((b: any) => parseAction(b.customId).kind)));
      assert.deepEqual(Object.keys(KINDS).filter((kind) => !offered.has(kind as KnownAction['kind'])), [], 'every action the catalogue names is offered');
    } finally {
      await t.simulator.close();
    }
  });

  it('takes every button it sends (trueai); a reseller refuses exactly what the bot’s new-api preset says it refuses', async () => {
    const t = await sim();
    const r = await sim({ family: 'reseller' });
    try {
      for (const task of (await results(t)).values()) {
        for (const { customId } of task.buttons) {
          const answer = await t.post('/mj/submit/action', { taskId: task.id, customId });
          assert.ok(answer.status === 200 && [1, 21].includes(answer.json.code), `${customId}: ${answer.text}`);
        }
      }
      const refused: string[] = [];
      for (const task of (await results(r, true)).values()) {
        for (const { customId } of task.buttons) {
          const answer = await r.post('/mj/submit/action', { taskId: task.id, customId });
          if (actionAccepted(PROVIDERS['new-api'], customId)) assert.ok(answer.status === 200 && [1, 21].includes(answer.json.code), `${customId}: ${answer.text}`);
          else {
            assert.deepEqual([answer.status, answer.json.description], [400, `unknown_action:${customId}`]);
            refused.push(parseAction(customId).kind);
          }
        }
      }
      assert.deepEqual([...new Set(refused)].sort(), ['animate', 'bookmark', 'describe-all', 'describe-prompt', 'describe-retry', 'shorten-details', 'shorten-prompt', 'video-upscale']);
    } finally {
      await t.simulator.close();
      await r.simulator.close();
    }
  });
});

describe('simulator: notifyHook and shutdown', () => {
  it('POSTs the task JSON to notifyHook on every change', async () => {
    const received: any[] = [];
    const types: string[] = [];
    const receiver = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        types.push(String(req.headers['content-type']));
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    const t = await sim();
    const waitFor = async (status: string) => {
      for (const deadline = Date.now() + 3000; Date.now() < deadline; await sleep(10)) {
        if (received.some((x) => x.status === status)) return;
      }
      assert.fail(`no ${status} callback`);
    };
    try {
      t.simulator.configure({ notifyDuplicate: true });
      const id = (await t.post('/mj/submit/imagine', { prompt: 'hooked', notifyHook: `http://127.0.0.1:${port}/hook` })).json.result;
      await waitFor('SUBMITTED');
      t.advance(60);
      await waitFor('IN_PROGRESS');
      t.advance(1000);
      await waitFor('SUCCESS');
      // Both copies of the final callback (notifyDuplicate), waited for rather than slept on.
      for (const deadline = Date.now() + 3000; received.filter((x) => x.status === 'SUCCESS').length < 2 && Date.now() < deadline; await sleep(10));
      const statuses = received.map((x) => x.status);
      assert.ok(statuses.includes('SUBMITTED') && statuses.includes('IN_PROGRESS') && statuses.includes('SUCCESS'), statuses.join());
      assert.ok(received.every((x) => x.id === id));
      assert.ok(types.every((x) => x === 'application/json'));
      assert.equal(received.filter((x) => x.status === 'SUCCESS').length, 2, 'notifyDuplicate sends twice');
      assert.equal(received.find((x) => x.status === 'SUCCESS').buttons.length, 9);
    } finally {
      await t.simulator.close();
      receiver.close();
    }
  });

  it('close() releases everything so the process can exit', async () => {
    const entry = fileURLToPath(new URL('../src/simulator/index.ts', import.meta.url));
    const code = `
      const { startSimulator } = await import(${JSON.stringify(entry)});
      const sim = await startSimulator({ queueMs: 10, runMs: 50, imageSize: 32 });
      const r = await fetch(sim.url + '/mj/submit/imagine', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'x', notifyHook: 'http://127.0.0.1:9/none' }) });
      const { result } = await r.json();
      await new Promise((resolve) => setTimeout(resolve, 120));
      const task = await (await fetch(sim.url + '/mj/task/' + result + '/fetch')).json();
      await (await fetch(task.imageUrl)).arrayBuffer();
      await sim.close();
      console.log('closed ' + task.status);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exitCode = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve(-1);
      }, 6000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(exitCode, 0, out);
    assert.match(out, /closed SUCCESS/);
  });
});
