import { accept, common, isUrl, modeFor, str, type Ctx, type MjRequest } from './request';
import { json, resellerError, submitFail, type Reply } from './families';
import { parseBase64Image, type ParsedImage } from './media';
import { dimensionsFor, makeTiles, sha256 } from './pictures';
import { describePrompts, numbered, shortenPrompt } from './text-results';

/** POST /mj/submit/{imagine,blend,describe,shorten,video,edits,upload-discord-images} and /mj/insight-face/swap. */

const EMPTY_PROMPT = 'prompt不能为空';
const BAD_BASE64 = 'base64格式错误';

type ImageInput = { kind: 'data'; image: ParsedImage; path: string } | { kind: 'url'; url: string };

/** Validates one image payload and stores it (served under /uploads). undefined = "base64格式错误". */
function imageInput(ctx: Ctx, value: unknown): ImageInput | undefined {
  const text = str(value).trim();
  const openSource = ctx.s.family === 'open-source';
  if (!openSource && isUrl(text)) return { kind: 'url', url: text };
  const image = parseBase64Image(text, !openSource);
  if (!image) return undefined;
  return { kind: 'data', image, path: ctx.media.addUpload(image) };
}

const inputUrl = (ctx: Ctx, input: ImageInput) => (input.kind === 'url' ? input.url : `${ctx.baseUrl}${input.path}`);
const inputKey = (input: ImageInput) => (input.kind === 'url' ? input.url : sha256(input.image.data).toString('hex'));

function imageList(ctx: Ctx, value: unknown): ImageInput[] | 'bad' {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return 'bad';
  const inputs: ImageInput[] = [];
  for (const item of value) {
    const input = imageInput(ctx, item);
    if (!input) return 'bad';
    inputs.push(input);
  }
  return inputs;
}

export function imagine(ctx: Ctx, req: MjRequest): Reply {
  const { s } = ctx;
  const body = req.body;
  const prompt = str(body.prompt).trim();
  if (!prompt) return submitFail(s, 4, EMPTY_PROMPT);
  const legacy = body.base64 ? [body.base64] : [];
  const images = imageList(ctx, Array.isArray(body.base64Array) ? [...body.base64Array, ...legacy] : (body.base64Array ?? legacy));
  if (images === 'bad') return submitFail(s, 4, BAD_BASE64);
  const refs = images.map((i) => inputUrl(ctx, i));
  const [width, height] = dimensionsFor(s.imageSize, prompt);
  const botType = /^(niji|NIJI_JOURNEY)$/i.test(str(body.botType)) || /--niji\b/i.test(prompt) ? 'NIJI_JOURNEY' : 'MID_JOURNEY';
  return accept(
    ctx,
    ctx.store.create({
      action: 'IMAGINE',
      output: 'grid',
      buttonSet: 'grid',
      prompt,
      finalPrompt: refs.length > 0 ? `${refs.join(' ')} ${prompt}` : undefined,
      description: `/imagine ${prompt}`,
      mode: modeFor(req, prompt),
      tiles: makeTiles(`imagine:${prompt}|${images.map(inputKey).join('|')}`),
      width,
      height,
      seed: prompt,
      botType,
      ...common(ctx, body),
    }),
  );
}

const BLEND_RATIOS: Record<string, [number, number]> = { PORTRAIT: [2, 3], SQUARE: [1, 1], LANDSCAPE: [3, 2] };

export function blend(ctx: Ctx, req: MjRequest): Reply {
  const { s } = ctx;
  const list = req.body.base64Array;
  if (!Array.isArray(list) || list.length < 2 || list.length > 5) return submitFail(s, 4, 'base64List参数错误');
  const dimensions = str(req.body.dimensions || 'SQUARE').toUpperCase();
  const ratio = BLEND_RATIOS[dimensions];
  if (!ratio) return submitFail(s, 4, 'dimensions参数错误');
  const images = imageList(ctx, list);
  if (images === 'bad') return submitFail(s, 4, BAD_BASE64);
  const [width, height] = dimensionsFor(s.imageSize, '', ratio);
  const refs = images.map((i) => inputUrl(ctx, i)).join(' ');
  return accept(
    ctx,
    ctx.store.create({
      action: 'BLEND',
      output: 'grid',
      buttonSet: 'grid',
      prompt: '',
      finalPrompt: `${refs} --ar ${ratio[0]}:${ratio[1]} --v 7.0`,
      description: '/blend',
      mode: modeFor(req, ''),
      tiles: makeTiles(`blend:${images.map(inputKey).join('|')}`),
      width,
      height,
      seed: images.map(inputKey).join('|'),
      ...common(ctx, req.body),
    }),
  );
}

/** "W:H" of a PNG's IHDR, reduced; '1:1' when unknown. */
function aspectOf(input: ImageInput): string {
  if (input.kind !== 'data' || input.image.data.length < 24 || input.image.data.toString('latin1', 12, 16) !== 'IHDR') return '1:1';
  const w = input.image.data.readUInt32BE(16);
  const h = input.image.data.readUInt32BE(20);
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = gcd(w, h) || 1;
  return w > 0 && h > 0 ? `${w / g}:${h / g}` : '1:1';
}

export function describe(ctx: Ctx, req: MjRequest): Reply {
  const { s } = ctx;
  const raw = req.body.base64 ?? (s.family === 'open-source' ? undefined : req.body.link);
  if (!str(raw).trim()) return submitFail(s, 4, 'base64不能为空');
  const input = imageInput(ctx, raw);
  if (!input) return submitFail(s, 4, BAD_BASE64);
  const key = inputKey(input);
  return accept(
    ctx,
    ctx.store.create({
      action: 'DESCRIBE',
      output: 'describe',
      buttonSet: 'describe',
      prompt: '',
      resultText: numbered(describePrompts(key, aspectOf(input))),
      description: '/describe',
      mode: modeFor(req, ''),
      tiles: [],
      width: s.imageSize,
      height: s.imageSize,
      seed: key,
      inputImageUrl: input.kind === 'url' ? input.url : input.path,
      ...common(ctx, req.body),
    }),
  );
}

export function shorten(ctx: Ctx, req: MjRequest): Reply {
  const prompt = str(req.body.prompt).trim();
  if (!prompt) return submitFail(ctx.s, 4, EMPTY_PROMPT);
  return accept(
    ctx,
    ctx.store.create({
      action: 'SHORTEN',
      output: 'shorten',
      buttonSet: 'shorten',
      prompt,
      resultText: shortenPrompt(prompt, false).text,
      description: `/shorten ${prompt}`,
      mode: modeFor(req, prompt),
      tiles: [],
      width: 0,
      height: 0,
      seed: prompt,
      ...common(ctx, req.body),
    }),
  );
}

export function video(ctx: Ctx, req: MjRequest): Reply {
  const { s } = ctx;
  const body = req.body;
  const prompt = str(body.prompt).trim();
  const extend = str(body.action).toLowerCase() === 'extend';
  const motion = str(body.motion).toLowerCase() === 'high' ? 'high' : 'low';
  const videoType = str(body.videoType) || 'vid_1.1_i2v_480';
  const batch = Number(body.batchSize ?? 4);
  const batchSize = batch === 1 || batch === 2 ? batch : 4;
  let tiles = makeTiles(`video:${prompt}`, 1);
  let frameRef = '';
  let parentId: string | undefined;
  if (extend) {
    const parent = ctx.store.tasks.get(str(body.taskId));
    if (!parent) return submitFail(s, 3, '关联任务不存在或已失效', { taHttp: 404, resellerDescription: 'task_not_found' });
    const isVideo = parent.output === 'video' || parent.output === 'video-single';
    if (ctx.store.view(parent).status !== 'SUCCESS' || !isVideo) {
      return submitFail(s, 4, '关联任务状态错误', { resellerDescription: 'task_status_not_success' });
    }
    const index = Number(body.index ?? 0);
    if (!Number.isInteger(index) || index < 0 || index > 3) return submitFail(s, 4, 'index参数错误');
    tiles = [parent.tiles[Math.min(index, parent.tiles.length - 1)] ?? tiles[0]!];
    parentId = parent.id;
  } else {
    if (!prompt) return submitFail(s, 4, EMPTY_PROMPT);
    if (body.image !== undefined && body.image !== null && body.image !== '') {
      const input = imageInput(ctx, body.image);
      if (!input) return submitFail(s, 4, BAD_BASE64);
      frameRef = inputUrl(ctx, input);
      tiles = makeTiles(`video:${prompt}|${inputKey(input)}`, 1);
    }
  }
  const [width, height] = dimensionsFor(s.imageSize, prompt);
  return accept(
    ctx,
    ctx.store.create({
      action: 'VIDEO',
      output: 'video',
      buttonSet: 'video',
      prompt,
      finalPrompt: `${frameRef ? `${frameRef} ` : ''}${prompt} --motion ${motion} --video 1`.trim(),
      description: '/video',
      mode: modeFor(req, prompt),
      tiles,
      width,
      height,
      seed: prompt,
      parentId,
      motion,
      videoType,
      batchSize,
      ...common(ctx, body),
    }),
  );
}

export function edits(ctx: Ctx, req: MjRequest): Reply {
  const { s } = ctx;
  const prompt = str(req.body.prompt).trim();
  if (!prompt) return submitFail(s, 4, EMPTY_PROMPT);
  if (!str(req.body.image).trim()) return submitFail(s, 4, 'image不能为空');
  const input = imageInput(ctx, req.body.image);
  if (!input) return submitFail(s, 4, BAD_BASE64);
  const [width, height] = dimensionsFor(s.imageSize, prompt);
  return accept(
    ctx,
    ctx.store.create({
      action: 'EDITS',
      output: 'edit',
      buttonSet: 'none',
      prompt,
      finalPrompt: `${prompt} --v 7 --dref ${inputUrl(ctx, input)}`,
      description: '/edits',
      mode: modeFor(req, prompt),
      tiles: makeTiles(`edit:${prompt}|${inputKey(input)}`),
      width,
      height,
      seed: prompt,
      ...common(ctx, req.body),
    }),
  );
}

export function swapFace(ctx: Ctx, req: MjRequest): Reply {
  const { s } = ctx;
  const body = req.body;
  if (s.family === 'reseller' && (!str(body.sourceBase64) || !str(body.targetBase64))) {
    return resellerError('sourceBase64 and targetBase64 are required');
  }
  const source = body.sourceBase64 || body.sourceUrl;
  const target = body.targetBase64 || body.targetUrl;
  if (!str(source).trim()) return submitFail(s, 4, 'sourceBase64或sourceUrl不能为空');
  if (!str(target).trim()) return submitFail(s, 4, 'targetBase64或targetUrl不能为空');
  const sourceInput = imageInput(ctx, source);
  const targetInput = imageInput(ctx, target);
  if (!sourceInput || !targetInput) return submitFail(s, 4, BAD_BASE64);
  const key = `${inputKey(sourceInput)}|${inputKey(targetInput)}`;
  return accept(
    ctx,
    ctx.store.create({
      action: 'SWAP_FACE',
      output: 'single',
      buttonSet: 'none',
      prompt: '',
      finalPrompt: '',
      description: '/swap',
      mode: modeFor(req, ''),
      tiles: makeTiles(`swap:${key}`, 1),
      width: s.imageSize,
      height: s.imageSize,
      seed: key,
      botType: 'INSIGHT_FACE',
      ...common(ctx, body),
    }),
  );
}

export function uploadImages(ctx: Ctx, req: MjRequest): Reply {
  const list = req.body.base64Array;
  if (!Array.isArray(list) || list.length === 0) return submitFail(ctx.s, 4, 'base64Array不能为空');
  const urls: string[] = [];
  for (const item of list) {
    const image = parseBase64Image(item, ctx.s.family !== 'open-source');
    if (!image) return submitFail(ctx.s, 4, BAD_BASE64);
    urls.push(`${ctx.baseUrl}${ctx.media.addUpload(image)}`);
  }
  return json({ code: 1, description: ctx.s.family === 'reseller' ? 'Submit success' : '提交成功', result: urls });
}
