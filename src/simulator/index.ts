// index.ts: the entry of its folder (every folder that has an entry names it so): what the folder offers the layers above.
import type { Ctx } from './request';
import type { SimHooks } from './hooks';
import { MediaStore } from './media';
import { Notifier } from './notify';
import { render } from './queries';
import { SimServer } from './sim-server';
import { TaskStore } from './tasks';
import { taskJson } from './dto';
import { defaultSettings, type MjSimulator, type SimulatorOptions } from './sim-types';

/**
 * Built-in midjourney-proxy simulator: a real HTTP server on 127.0.0.1 that speaks the API family
 * (open-source novicezk, trueai-org, new-api resellers), draws deterministic PNGs and computes every task's
 * state lazily from the clock. Used when MJ_API_URL is empty, by `npm run simulator`, by the tests and by the
 * benchmark. It only ever succeeds: failures, stalls, queue limits and the other switches tests flip are test
 * support (test/support/simulator.ts), built on `hooks`.
 */

/** @public */
export type { MjSimulator, SimMode, SimTaskRecord, SimulatorFamily, SimulatorOptions } from './sim-types';
/** @public */
export type { SimCall } from './sim-server';
/** @public */
export type { SimCallback, SimHooks } from './hooks';
/** @public */
export type { TaskView as SimTaskView } from './tasks';
/** @public */
export type { Reply as SimReply } from './families';
/** @public */
export { encodePng, PNG_SIGNATURE, pngChunk } from './png';

export async function startSimulator(options: SimulatorOptions = {}, hooks: SimHooks = {}): Promise<MjSimulator> {
  const settings = defaultSettings(options);
  const store = new TaskStore(settings, hooks);
  const media = new MediaStore();
  const ctx: Ctx = {
    s: settings,
    store,
    media,
    baseUrl: '',
    watch: (record) => notifier.watch(record),
  };
  const notifier = new Notifier(settings, store, (record, view) => taskJson(record, view, settings, ctx.baseUrl), hooks);
  const server = new SimServer(ctx, hooks);
  const port = await server.listen(options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  ctx.baseUrl = url;
  settings.log('simulator: listening', { url, family: settings.family });
  let closed: Promise<void> | undefined;
  let paused = false;

  return {
    url,
    get paused() {
      return paused;
    },
    async pause() {
      if (paused || closed) return;
      paused = true;
      await server.close();
      settings.log('simulator: paused', { url });
    },
    async resume() {
      if (!paused || closed) return;
      await server.listen(port);
      paused = false;
      settings.log('simulator: resumed', { url });
    },
    family: settings.family,
    tasks: store.tasks,
    now: () => settings.clock(),
    getTask(id) {
      const record = store.tasks.get(id);
      return record ? render(ctx, record) : undefined;
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
