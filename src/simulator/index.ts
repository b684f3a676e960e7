import type { Ctx } from './context';
import { MediaStore } from './media';
import { Notifier } from './notify';
import { render } from './queries';
import { SimServer, type SimHooks } from './server';
import { TaskStore } from './tasks';
import { taskJson } from './dto';
import { defaultSettings, type Behaviour, type MjSimulator, type SimulatorOptions } from './types';

/**
 * Built-in midjourney-proxy simulator: a real HTTP server on 127.0.0.1 that speaks the API family
 * (open-source novicezk, trueai-org, new-api resellers), draws deterministic PNGs and computes every task's
 * state lazily from the clock. Used when MJ_API_URL is empty, by the tests and by the benchmark.
 */

export type { Behaviour, MjSimulator, SimMode, SimTaskRecord, SimulatorFamily, SimulatorOptions } from './types';
export type { SimCall, SimHooks } from './server';
export type { Reply as SimReply } from './families';
export { encodePng, PNG_SIGNATURE } from './png';

export async function startSimulator(options: SimulatorOptions = {}, hooks: SimHooks = {}): Promise<MjSimulator> {
  const settings = defaultSettings(options);
  const store = new TaskStore(settings);
  const media = new MediaStore();
  const ctx: Ctx = {
    s: settings,
    store,
    media,
    baseUrl: '',
    watch: (record) => notifier.watch(record),
  };
  const notifier = new Notifier(settings, store, (record, view) => taskJson(record, view, settings, ctx.baseUrl));
  const server = new SimServer(ctx, hooks);
  const port = await server.listen(options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  ctx.baseUrl = url;
  settings.log('simulator: listening', { url, family: settings.family });
  let closed: Promise<void> | undefined;

  return {
    url,
    tasks: store.tasks,
    now: () => settings.clock(),
    callbacksSent: () => notifier.sent,
    getTask(id) {
      const record = store.tasks.get(id);
      return record ? render(ctx, record) : undefined;
    },
    configure(patch: Partial<SimulatorOptions & Behaviour>) {
      const { port: _port, clock, log, apiKey, ...rest } = patch;
      const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
      Object.assign(settings, defined);
      if ('apiKey' in patch) settings.apiKey = apiKey || undefined;
      if (clock) settings.clock = clock;
      if (log) settings.log = log;
      settings.progressSteps = Math.max(1, Math.floor(settings.progressSteps));
      settings.imageSize = Math.max(16, Math.floor(settings.imageSize));
    },
    stall(taskId, stalled) {
      const record = store.tasks.get(taskId);
      if (record) store.stall(record, stalled);
    },
    failTask(taskId, reason) {
      const record = store.tasks.get(taskId);
      if (record) store.fail(record, reason);
    },
    setResult(taskId, result) {
      const record = store.tasks.get(taskId);
      if (record) record.resultOverride = result;
    },
    async sendCallback(taskId, patch = {}) {
      const record = store.tasks.get(taskId);
      if (!record?.notifyHook) throw new Error(`task ${taskId} has no notifyHook`);
      const response = await fetch(record.notifyHook, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...render(ctx, record), ...patch }),
      });
      return { status: response.status, body: await response.text() };
    },
    close() {
      closed ??= (async () => {
        notifier.close();
        await server.close();
        media.clear();
        settings.log('simulator: closed', { url });
      })();
      return closed;
    },
  };
}
