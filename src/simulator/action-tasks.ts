import { randomUUID } from 'node:crypto';
import { actionInfo, midjourneyButton, parseAction, type KnownAction, type MjAction } from '../mj/actions';
import { buttonsFor } from './result-buttons';
import { accept, common, modeFor, str, type Ctx, type MjRequest } from './request';
import { resellerError, submitFail, submitOk, type Reply } from './families';
import { parseBase64Image } from './media';
import { dimensionsFor, makeTiles, mutateTiles, type Mutation } from './pictures';
import { finalPromptOf, type NewTask } from './tasks';
import { describePrompts, numbered, numberedItems, shortenPrompt } from './text-results';
import type { ButtonSet, ModalKind, OutputKind, SimTaskRecord, TileParams } from './sim-types';

/**
 * POST /mj/submit/action, /mj/submit/modal, and NZ's /mj/submit/change and /mj/submit/simple-change. A pressed
 * customId is read with the bot's own catalogue (src/mj/actions.ts), which also says which actions remix mode holds
 * and which resellers refuse.
 */

const NOT_FOUND = '关联任务不存在或已失效';
const BAD_STATE = '关联任务状态错误';
const UNKNOWN_ACTION = '未知的 Action 类型';

interface Plan {
  task: NewTask;
  modal?: ModalKind;
}

function parentNotFound(ctx: Ctx): Reply {
  return submitFail(ctx.s, 3, NOT_FOUND, { taHttp: 404, resellerDescription: 'task_not_found' });
}

/** The new task a button press creates (before remix / modal handling). */
function plan(ctx: Ctx, req: MjRequest, parent: SimTaskRecord, act: MjAction, customId: string): Plan | 'unknown' {
  const na = ctx.s.family === 'reseller';
  const first: TileParams = parent.tiles[0] ?? makeTiles(parent.seed, 1)[0]!;
  const tileAt = (index: number) => parent.tiles[index - 1] ?? first;
  const base = {
    customId,
    parentId: parent.id,
    prompt: parent.prompt,
    finalPrompt: parent.finalPrompt,
    description: `/${customId.split('::')[2] ?? 'action'} ${parent.id}`,
    mode: modeFor(req, '', parent.mode),
    width: parent.width,
    height: parent.height,
    seed: `${parent.seed}|${customId}`,
    botType: parent.botType,
    ...common(ctx, req.body),
  };
  const make = (action: string, output: OutputKind, buttonSet: ButtonSet, tiles: TileParams[], extra: Partial<NewTask> = {}): Plan => ({
    task: { ...base, action, output, buttonSet, tiles, ...extra },
  });
  const grid = (action: string, tiles: TileParams[]) => make(action, 'grid', 'grid', tiles);
  const video = (tiles: TileParams[], motion: string) =>
    make('VIDEO', 'video', 'video', tiles, { motion, videoType: parent.videoType || 'vid_1.1_i2v_480' });
  const mutated = (tile: TileParams, mutation: Mutation, count = 4) => mutateTiles(tile, base.seed, mutation, count);
  switch (act.kind) {
    case 'upscale':
      return make('UPSCALE', 'single', 'upscale', [tileAt(act.index)]);
    case 'upscale-more':
      return make(na ? 'UPSCALE' : 'UPSCALE_HD', 'single', 'upscale-more', [first]);
    case 'variation':
      return grid('VARIATION', mutated(tileAt(act.index), { strength: 0.35 }));
    case 'vary': {
      const strong = act.strength === 'strong';
      const name = na ? (strong ? 'HIGH_VARIATION' : 'LOW_VARIATION') : 'VARIATION';
      return grid(name, mutated(first, { strength: strong ? 0.5 : 0.15 }));
    }
    case 'reroll':
      if (parent.output === 'video') return video(mutateTiles(first, randomUUID(), { strength: 0.4 }, 1), parent.motion);
      return grid('REROLL', makeTiles(`${parent.seed}|reroll|${randomUUID()}`));
    case 'pan': {
      const [dx, dy] = { left: [0.25, 0], right: [-0.25, 0], up: [0, 0.25], down: [0, -0.25] }[act.direction];
      return grid('PAN', mutated(first, { strength: 0.2, dx, dy }));
    }
    case 'zoom-out': {
      const scale = { square: 1, '1.5x': 1 / 1.5, '2x': 0.5 }[act.factor];
      return grid('ZOOM', mutated(first, { strength: 0.2, scale }));
    }
    case 'zoom-custom': {
      // Tiles are drawn when the modal brings the zoom factor.
      const finalPrompt = `${parent.finalPrompt.replace(/\s--zoom\s+\S+/i, '')} --zoom 2`;
      return { ...make(na ? 'CUSTOM_ZOOM' : 'ZOOM', 'grid', 'grid', [], { finalPrompt }), modal: 'zoom' };
    }
    case 'inpaint':
      return { ...grid(na ? 'INPAINT' : 'VARIATION', mutated(first, { strength: 0.3 })), modal: 'inpaint' };
    case 'animate':
      return video(mutated(first, { strength: 0.05 }, 1), act.motion);
    case 'video-extend':
      return video([first], act.motion);
    case 'video-upscale':
      return make('UPSCALE', 'video-single', 'video-upscale', [first], { motion: parent.motion, videoType: parent.videoType });
    case 'describe-prompt':
    case 'shorten-prompt': {
      // Tiles are drawn when the modal confirms the prompt.
      const chosen = numberedItems(parent.resultText)[act.index - 1] ?? parent.prompt;
      const [width, height] = dimensionsFor(ctx.s.imageSize, chosen);
      const extra = { prompt: chosen, finalPrompt: chosen, description: `/imagine ${chosen}`, width, height };
      return { ...make('IMAGINE', 'grid', 'grid', [], extra), modal: 'prompt' };
    }
    case 'describe-retry': {
      const aspect = /--ar (\d+:\d+)/.exec(parent.resultText)?.[1] ?? '1:1';
      const resultText = numbered(describePrompts(`${parent.seed}|retry|${randomUUID()}`, aspect));
      const extra = { prompt: '', resultText, seed: parent.seed, inputImageUrl: parent.inputImageUrl, description: '/describe' };
      return make('DESCRIBE', 'describe', 'describe', [], extra);
    }
    case 'shorten-details':
      return make('SHORTEN', 'shorten', 'shorten-details', [], { resultText: shortenPrompt(parent.prompt, true).text });
    default:
      return 'unknown';
  }
}

export function action(ctx: Ctx, req: MjRequest): Reply {
  const { s } = ctx;
  const taskId = str(req.body.taskId).trim();
  const customId = str(req.body.customId).trim();
  if (!customId) {
    return s.family === 'reseller' ? resellerError('custom_id_is_required') : submitFail(s, 4, 'customId不能为空');
  }
  if (!taskId) return submitFail(s, 4, 'taskId不能为空', { resellerDescription: 'task_id_is_required' });
  const parsed = parseAction(customId);
  if (s.family === 'reseller' && (parsed.kind === 'other' || actionInfo(parsed).refusedByResellers)) {
    return resellerError(`unknown_action:${customId}`);
  }
  if (parsed.kind === 'other') return submitFail(s, 4, UNKNOWN_ACTION);
  const parent = ctx.store.tasks.get(taskId);
  if (!parent) return parentNotFound(ctx);
  if (ctx.store.view(parent).status !== 'SUCCESS') {
    return submitFail(s, 4, BAD_STATE, { resellerDescription: 'task_status_not_success' });
  }
  const offered = buttonsFor(parent.buttonSet, parent.messageHash).some((b) => b.customId === customId);
  // trueai also takes a Custom Zoom that names the task instead of the message.
  const taSynth = parsed.kind === 'zoom-custom' && customId === midjourneyButton(parsed, `1::${parent.id}`).customId;
  if (!offered && !taSynth && !req.internal) return submitFail(s, 4, UNKNOWN_ACTION);
  return runAction(ctx, req, parent, parsed, customId);
}

function runAction(ctx: Ctx, req: MjRequest, parent: SimTaskRecord, parsed: MjAction, customId: string): Reply {
  const { s } = ctx;
  if (parsed.kind === 'bookmark') return submitOk(s, { code: 1, result: parent.id });
  if (parsed.kind === 'describe-all') {
    const ids = numberedItems(parent.resultText).map((prompt) => {
      const [width, height] = dimensionsFor(s.imageSize, prompt);
      const record = ctx.store.create({
        action: 'IMAGINE',
        output: 'grid',
        buttonSet: 'grid',
        prompt,
        description: `/imagine ${prompt}`,
        parentId: parent.id,
        mode: modeFor(req, prompt, parent.mode),
        tiles: makeTiles(`imagine:${prompt}|`),
        width,
        height,
        seed: prompt,
        ...common(ctx, req.body),
      });
      accept(ctx, record);
      return record.id;
    });
    return submitOk(s, { code: 1, result: ids.join(',') });
  }
  const p = plan(ctx, req, parent, parsed, customId);
  if (p === 'unknown') return submitFail(s, 4, UNKNOWN_ACTION);
  const remix = s.family !== 'open-source' && (s.remix || req.body.enableRemix === true);
  const modalKind = p.modal ?? (remix && actionInfo(parsed).remix ? 'prompt' : undefined);
  if (!modalKind) return accept(ctx, ctx.store.create(p.task));
  const record = ctx.store.create({ ...p.task, modal: modalKind });
  ctx.watch(record);
  ctx.s.log('simulator: modal task created', { id: record.id, customId });
  return submitOk(s, {
    code: 21,
    result: record.id,
    keep21: modalKind === 'zoom' || modalKind === 'inpaint',
    properties: { finalPrompt: record.finalPrompt, remix: true },
  });
}

/** NZ /submit/change {taskId, action, index} and /submit/simple-change {content: "<id> U2"}. */
export function change(ctx: Ctx, req: MjRequest): Reply {
  const { s } = ctx;
  let taskId = str(req.body.taskId).trim();
  let kind = str(req.body.action).toUpperCase();
  let index = Number(req.body.index ?? 0);
  if (req.route === '/submit/simple-change') {
    const m = /^\s*(\S+)\s+([UV])([1-4])\s*$|^\s*(\S+)\s+R\s*$/i.exec(str(req.body.content));
    if (!m) return submitFail(s, 4, 'content参数错误');
    taskId = m[1] ?? m[4] ?? '';
    kind = m[2] ? (m[2].toUpperCase() === 'U' ? 'UPSCALE' : 'VARIATION') : 'REROLL';
    index = Number(m[3] ?? 0);
  }
  const parent = ctx.store.tasks.get(taskId);
  if (!parent) return parentNotFound(ctx);
  const actions: Record<string, KnownAction | undefined> = {
    UPSCALE: { kind: 'upscale', index },
    VARIATION: { kind: 'variation', index },
    REROLL: { kind: 'reroll' },
  };
  const pressed = actions[kind];
  if (!pressed || (kind !== 'REROLL' && !(index >= 1 && index <= 4))) return submitFail(s, 4, 'action或index参数错误');
  const customId = midjourneyButton(pressed, parent.messageHash).customId;
  return action(ctx, { ...req, internal: true, body: { ...req.body, taskId, customId } });
}

export function modal(ctx: Ctx, req: MjRequest): Reply {
  const { s } = ctx;
  const record = ctx.store.tasks.get(str(req.body.taskId).trim());
  if (!record) return parentNotFound(ctx);
  if (ctx.store.view(record).status !== 'MODAL') {
    return submitFail(s, 4, BAD_STATE, { resellerDescription: 'task_status_not_modal' });
  }
  const parent = record.parentId ? ctx.store.tasks.get(record.parentId) : undefined;
  const fallback = record.modal === 'zoom' ? record.finalPrompt : record.prompt || record.finalPrompt;
  const prompt = str(req.body.prompt).trim() || fallback || parent?.prompt || '';
  if (record.modal === 'zoom') {
    const zoom = /--zoom\s+(\d+(?:\.\d+)?)/i.exec(prompt);
    const factor = zoom ? Number(zoom[1]) : NaN;
    if (!(factor >= 1 && factor <= 2)) return submitFail(s, 4, 'Custom Zoom 需要 --zoom 参数，取值 1 到 2');
    const base = parent?.tiles[0] ?? makeTiles(record.seed, 1)[0]!;
    record.tiles = mutateTiles(base, record.seed, { strength: 0.2, scale: 1 / factor });
  }
  if (record.modal === 'inpaint') {
    const mask = str(req.body.maskBase64).trim();
    if (!mask || !parseBase64Image(mask, true)) return submitFail(s, 4, 'maskBase64格式错误');
    record.maskBase64 = '';
  }
  if (record.action === 'IMAGINE' && record.tiles.length === 0) {
    record.tiles = makeTiles(`imagine:${prompt}|`);
    [record.width, record.height] = dimensionsFor(s.imageSize, prompt);
    record.description = `/imagine ${prompt}`;
  }
  if (prompt) {
    record.prompt = prompt;
    record.promptEn = prompt;
    record.finalPrompt = finalPromptOf(prompt);
  }
  return accept(ctx, record);
}
