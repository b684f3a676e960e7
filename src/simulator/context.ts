import { submitFail, submitOk, type Reply } from './families';
import type { MediaStore } from './media';
import type { TaskStore } from './tasks';
import type { Settings, SimMode, SimTaskRecord } from './types';

/** What every endpoint handler gets. */
export interface Ctx {
  s: Settings;
  store: TaskStore;
  media: MediaStore;
  baseUrl: string;
  /** Registers a task for notifyHook deliveries (no-op without a hook). */
  watch(record: SimTaskRecord): void;
}

/** One /mj request, after auth. */
export interface MjRequest {
  method: string;
  /** Path below /mj, e.g. '/submit/imagine'. */
  route: string;
  path: string;
  body: Record<string, unknown>;
  /** From a mode prefix (/mj-relax/mj/…), if any. */
  prefixMode: SimMode | undefined;
  /** Built by the simulator itself (NZ change → action): skips the "button offered" check. */
  internal?: boolean;
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** Mode of a new task: URL prefix first, then a --fast/--relax/--turbo flag in the prompt, else `fallback`. */
export function modeFor(req: MjRequest, prompt: string, fallback: SimMode = 'FAST'): SimMode {
  if (req.prefixMode) return req.prefixMode;
  const flag = /--(fast|relax|turbo)\b/i.exec(prompt);
  return flag ? (flag[1]!.toUpperCase() as SimMode) : fallback;
}

/** Fields every submit shares: state and notifyHook (resellers strip the hook). */
export function common(ctx: Ctx, body: Record<string, unknown>): { state: string; notifyHook: string | undefined } {
  const hook = str(body.notifyHook).trim();
  return {
    state: str(body.state),
    notifyHook: ctx.s.family !== 'reseller' && /^https?:\/\//i.test(hook) ? hook : undefined,
  };
}

export type Admission = { reply: Reply } | { code: 1 | 22; ahead: number; notStartMs: number };

/** Queue limits: code 22 from `queueFullAfter` tasks in flight, rejection (23 / 9) when `queueSize` more wait. */
export function admission(ctx: Ctx): Admission {
  const s = ctx.s;
  if (s.queueFullAfter === Infinity) return { code: 1, ahead: 0, notStartMs: 0 };
  const inFlight = ctx.store.inFlight();
  if (inFlight < s.queueFullAfter) return { code: 1, ahead: 0, notStartMs: 0 };
  const ahead = inFlight - s.queueFullAfter;
  if (ahead >= s.queueSize) {
    return {
      reply:
        s.family === 'open-source'
          ? submitFail(s, 23, '队列已满，请稍后尝试')
          : submitFail(s, 9, '提交失败，队列已满，请稍后重试'),
    };
  }
  const slots = Math.max(1, s.queueFullAfter);
  return { code: 22, ahead, notStartMs: Math.ceil((ahead + 1) / slots) * s.runMs };
}

/** Queues `record` under an admission already granted and answers code 1 or 22. */
export function accept(ctx: Ctx, record: SimTaskRecord, granted: { code: 1 | 22; ahead: number; notStartMs: number }): Reply {
  ctx.store.enqueue(record, granted.notStartMs);
  ctx.watch(record);
  ctx.s.log('simulator: task queued', { id: record.id, action: record.action, mode: record.mode });
  if (granted.code === 22) {
    return submitOk(ctx.s, {
      code: 22,
      result: record.id,
      description: `排队中，前面还有${granted.ahead}个任务`,
      properties: { numberOfQueues: granted.ahead },
    });
  }
  return submitOk(ctx.s, { code: 1, result: record.id });
}

/** Admission + accept in one step; the record is only created when admitted. */
export function admitAndAccept(ctx: Ctx, create: () => SimTaskRecord): Reply {
  const granted = admission(ctx);
  if ('reply' in granted) return granted.reply;
  return accept(ctx, create(), granted);
}

/** Image payloads: data-URLs everywhere; bare base64 and http(s) URLs too except on the open-source family. */
export function isUrl(value: string): boolean {
  return /^https?:\/\/\S+$/i.test(value.trim());
}
