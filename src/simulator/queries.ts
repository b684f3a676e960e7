import { str, type Ctx } from './request';
import { taskJson } from './dto';
import { json, submitFail, unknownTask, type Reply } from './families';
import { sha256 } from './pictures';
import type { SimTaskRecord } from './sim-types';

/** Read endpoints: fetch, list-by-condition, list, queue, image-seed, and the files the tasks point at. */

export function render(ctx: Ctx, record: SimTaskRecord, now = ctx.s.clock()): Record<string, unknown> {
  return taskJson(record, ctx.store.view(record, now), ctx.s, ctx.baseUrl);
}

export function fetchTask(ctx: Ctx, id: string): Reply {
  const record = ctx.store.tasks.get(id);
  return record ? json(render(ctx, record)) : unknownTask(ctx.s);
}

export function listByIds(ctx: Ctx, body: Record<string, unknown>): Reply {
  const ids = Array.isArray(body.ids) ? body.ids : [];
  const now = ctx.s.clock();
  const out: unknown[] = [];
  for (const id of ids) {
    const record = ctx.store.tasks.get(str(id));
    if (record) out.push(render(ctx, record, now));
  }
  return json(out);
}

/** GET /mj/task/list: newest first (trueai: the latest 100). */
export function listAll(ctx: Ctx): Reply {
  const records = [...ctx.store.tasks.values()].reverse();
  const now = ctx.s.clock();
  const limited = ctx.s.family === 'trueai' ? records.slice(0, 100) : records;
  return json(limited.map((r) => render(ctx, r, now)));
}

/** GET /mj/task/queue (open-source): queued tasks by submit time. */
export function listQueue(ctx: Ctx): Reply {
  const now = ctx.s.clock();
  const out: unknown[] = [];
  for (const record of ctx.store.tasks.values()) {
    const status = ctx.store.view(record, now).status;
    if (status === 'NOT_START' || status === 'SUBMITTED') out.push(render(ctx, record, now));
  }
  return json(out);
}

function seedOf(record: SimTaskRecord): string {
  return String(sha256(`seed:${record.messageHash}`).readUInt32BE(0));
}

export function imageSeed(ctx: Ctx, id: string): Reply {
  const record = ctx.store.tasks.get(id);
  if (!record) return submitFail(ctx.s, 3, '关联任务不存在或已失效', { taHttp: 404, resellerDescription: 'task_no_found' });
  const view = ctx.store.view(record);
  const hasImage = record.output === 'grid' || record.output === 'single' || record.output === 'edit';
  if (view.status !== 'SUCCESS' || !hasImage) {
    return submitFail(ctx.s, 4, '关联任务状态错误', { taHttp: 400, resellerDescription: 'task_status_not_success' });
  }
  return json({ code: 1, description: '成功', result: seedOf(record), properties: {} });
}

const NO_FILE: Reply = { status: 404, raw: 'Not Found', contentType: 'text/plain; charset=utf-8' };

/** GET /images/<taskId>/<name>.png */
export function servePng(ctx: Ctx, id: string, name: string): Reply {
  const record = ctx.store.tasks.get(id);
  const png = record ? ctx.media.image(record, name) : undefined;
  return png ? { status: 200, raw: png, contentType: 'image/png' } : NO_FILE;
}

/** GET /videos/<taskId>/0_<i>.mp4 */
export function serveVideo(ctx: Ctx, id: string, index: number): Reply {
  const record = ctx.store.tasks.get(id);
  const count = record?.output === 'video-single' ? 1 : record?.output === 'video' ? record.batchSize : 0;
  if (!record || index >= count || ctx.store.view(record).status !== 'SUCCESS') return NO_FILE;
  return { status: 200, raw: ctx.media.video(), contentType: 'video/mp4' };
}

/** GET /uploads/<name> */
export function serveUpload(ctx: Ctx, name: string): Reply {
  const file = ctx.media.upload(name);
  return file ? { status: 200, raw: file.data, contentType: file.contentType } : NO_FILE;
}

/** GET /mj/image/<taskId> (new-api's anonymous image proxy): the task's current image. */
export function serveTaskImage(ctx: Ctx, id: string): Reply {
  const record = ctx.store.tasks.get(id);
  if (!record) return NO_FILE;
  const image = ctx.store.view(record).image;
  const png = /^\/images\/[^/]+\/([\w-]+)\.png$/.exec(image);
  if (png) return servePng(ctx, id, png[1]!);
  const upload = /^\/uploads\/([^/]+)$/.exec(image);
  if (upload) return serveUpload(ctx, upload[1]!);
  return NO_FILE;
}
