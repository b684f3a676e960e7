import { Events, Status, type Client } from 'discord.js';
import { commands as defaultCommands } from '../commands';
import type { Config } from './config';
import type { BotContext, Command } from './discord/context';
import { createDiscordClient } from './discord/client';
import { RestPublisher } from './discord/publisher';
import { createInteractionRouter } from './discord/router';
import { createHttpServer, notifySecret, notifyUrl } from './http/server';
import { createLogger, type Logger } from './logger';
import { MjClient } from './mj/client';
import { PROVIDERS, providerRejects, type ProviderPreset } from './mj/providers';
import { startSimulator, type MjSimulator, type SimulatorOptions } from './simulator';
import { openStore, type Store } from './store';
import { Tracker, type TrackerOptions } from './tasks/tracker';

export interface AppOptions {
  logger?: Logger;
  clock?: () => number;
  /** Options for the built-in simulator (used when MJ_API_URL is empty). */
  simulator?: SimulatorOptions;
  commands?: readonly Command[];
  tracker?: Partial<TrackerOptions>;
  /** Interface the HTTP server binds to (default all). */
  httpHost?: string;
}

export interface App {
  readonly config: Config;
  readonly ctx: BotContext;
  readonly client: Client;
  readonly store: Store;
  readonly tracker: Tracker;
  readonly simulator: MjSimulator | undefined;
  /** The port the HTTP server listens on once started. */
  httpPort: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Provider preset with the explicit MJ_* variables laid over it. */
export function resolveProvider(config: Config): ProviderPreset {
  const preset = PROVIDERS[config.MJ_PROVIDER];
  return {
    ...preset,
    authHeader: config.MJ_AUTH_HEADER ?? preset.authHeader,
    modePrefix: config.MJ_MODE_PREFIX ?? preset.modePrefix,
    videoFetchPath: config.MJ_VIDEO_FETCH_PATH ?? preset.videoFetchPath,
  };
}

/** Builds the whole bot without starting anything; `start()` connects, `stop()` tears it all down. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const clock = options.clock ?? Date.now;
  const provider = resolveProvider(config);
  const store = await openStore(config.STORE_URL, logger);

  let simulator: MjSimulator | undefined;
  let baseUrl = config.MJ_API_URL;
  if (!baseUrl) {
    const simLog = logger.child({ component: 'simulator' });
    simulator = await startSimulator({
      runMs: config.SIMULATOR_RUN_MS,
      log: (msg, data) => simLog.debug(data ?? {}, msg),
      ...options.simulator,
    });
    baseUrl = simulator.url;
    logger.warn(
      { url: simulator.url },
      '⚠️  MJ_API_URL is empty: using the BUILT-IN SIMULATOR. Images are generated test pictures, not Midjourney. Set MJ_API_URL to use a real API.',
    );
  }

  const mj = new MjClient({
    baseUrl,
    apiKey: config.MJ_API_KEY,
    authHeader: provider.authHeader,
    modePrefix: provider.modePrefix,
    defaultMode: config.MJ_DEFAULT_MODE,
    provider,
    logger,
    clock,
  });
  const client = createDiscordClient({ apiUrl: config.DISCORD_API_URL, logger });
  const tracker = new Tracker(mj, store, new RestPublisher(client.rest, logger, clock), logger, {
    pollIntervalMs: config.POLL_INTERVAL_MS,
    stallAfterMs: config.STALL_AFTER_MS,
    timeoutMs: config.TASK_TIMEOUT_MS,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    render: () => ({ hideAction: (customId) => providerRejects(provider, customId) }),
    clock,
    ...options.tracker,
  });
  const secret = notifySecret(config.DISCORD_TOKEN);
  const ctx: BotContext = {
    config,
    logger,
    mj,
    store,
    tracker,
    provider,
    notifyUrl: config.PUBLIC_URL ? notifyUrl(config.PUBLIC_URL, secret) : undefined,
    clock,
  };
  const http = createHttpServer({
    port: config.HTTP_PORT,
    ...(options.httpHost ? { host: options.httpHost } : {}),
    notifySecret: secret,
    logger,
    onNotify: async (task) => tracker.ingest(await mj.withVideos(task), 'notify'),
    health: async () => {
      const gateway = client.ws.status === Status.Ready ? 'ready' : 'not ready';
      const storeOk = await store.ping();
      return {
        ok: gateway === 'ready' && storeOk,
        gateway,
        store: storeOk ? 'ok' : 'failing',
        api: mj.circuitState === 'closed' ? 'ok' : `circuit ${mj.circuitState}`,
        tasksInFlight: tracker.active.size,
      };
    },
  });
  const route = createInteractionRouter(ctx, options.commands ?? defaultCommands);
  client.on(Events.InteractionCreate, (interaction) => void route(interaction));
  client.once(Events.ClientReady, (ready) => logger.info({ user: ready.user.tag, guilds: ready.guilds.cache.size }, 'connected to Discord'));

  const app: App = {
    config,
    ctx,
    client,
    store,
    tracker,
    simulator,
    httpPort: 0,
    async start() {
      const resumed = await tracker.resume();
      if (resumed) logger.info({ tasks: resumed }, 'resuming tasks that were in flight');
      app.httpPort = await http.listen();
      logger.info({ port: app.httpPort, notify: Boolean(ctx.notifyUrl) }, 'http server listening');
      tracker.start();
      await client.login(config.DISCORD_TOKEN);
    },
    async stop() {
      await client.destroy().catch((err: unknown) => logger.warn({ err }, 'discord disconnect failed'));
      await tracker.stop();
      await http.close();
      await mj.close();
      await simulator?.close();
      await store.close();
    },
  };
  return app;
}
