import { submitOk, type Reply } from './families';
import type { MediaStore } from './media';
import type { TaskStore } from './tasks';
import type { Settings, SimMode, SimTaskRecord } from './sim-types';

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

/** Queues `record` and answers code 1 with its id. */
export function accept(ctx: Ctx, record: SimTaskRecord): Reply {
  ctx.store.enqueue(record);
  ctx.watch(record);
  ctx.s.log('simulator: task queued', { id: record.id, action: record.action, mode: record.mode });
  return submitOk(ctx.s, { code: 1, result: record.id });
}

/** Image payloads: data-URLs everywhere; bare base64 and http(s) URLs too except on the open-source family. */
export function isUrl(value: string): boolean {
  return /^https?:\/\/\S+$/i.test(value.trim());
}
