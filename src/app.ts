import { Events, RESTEvents, Status, type Client, type Guild } from 'discord.js';
import { commands as defaultCommands } from '../commands';
import { notifySecretsOf, retentionOf, scrubberOf, shardsOf, type Config } from './config';
import { startApis } from './apis';
import type { BotContext, Command } from './discord/context';
import { UploadBudget } from './discord/attachments';
import { announce, upstreamHealth } from './apis';
import { createDiscordClient } from './discord/discord-client';
import { refreshMember } from './discord/members';
import { ClickGuard } from './discord/click-guard';
import { Showcase } from './discord/showcase';
import { StarCards } from './discord/star-cards';
import { RestPublisher } from './discord/rest-publisher';
import { WebhookEdits } from './discord/webhook-edits';
import { createInteractionRouter } from './discord/router';
import { createHttpServer } from './http/server';
import { createLogger, type Logger } from './logger';
import { Metrics, routeGroup } from './metrics';
import { providerRejects } from './mj/providers';
import { DEFAULT_UPSTREAM, type Upstream } from './mj/upstreams';
import { Downloader } from './net/downloader';
import { systemResolve, type Resolve } from './net/links';
import { EditorRoutes } from './editor/editor-routes';
import { EditorSessions } from './editor/sessions';
import { History } from './community/history';
import { Stars } from './community/stars';
import { Calendar } from './limits/day';
import { QuotaLedger } from './limits/ledger';
import { ServerSettings } from './limits/server-settings';
import { Strikes } from './limits/strikes';
import { UsageLog } from './limits/usage-log';
import type { LocalDiscord } from './playground/discord';
import { deployCommands } from './discord/deploy';
import type { RenderOptions } from './render/card';
import type { MjSimulator, SimulatorOptions } from './simulator';
import type { TrackedTask } from './store';
import { openStore, type Store } from './store';
import { PendingChoices } from './tasks/choices';
import { Starter } from './tasks/start';
import { Tracker, type TrackerOptions } from './tasks/tracker';
import { PromptTranslation } from './tasks/translation';
import { ChatTranslator } from './translator';

export interface AppOptions {
  logger?: Logger;
  clock?: () => number;
  /** Options for the built-in simulator (used when MJ_API_URL is empty). */
  simulator?: SimulatorOptions;
  commands?: readonly Command[];
  tracker?: Partial<TrackerOptions>;
  /** How host names are resolved (downloads, members' links); default the system's resolver. Tests name their own. */
  resolve?: Resolve;
  /** Playground mode (src/playground/boot.ts): the local Discord the bot talks to; the app serves its page and closes it. */
  playground?: LocalDiscord;
}

export interface App {
  readonly config: Config;
  readonly ctx: BotContext;
  readonly client: Client;
  readonly store: Store;
  readonly tracker: Tracker;
  /** The built-in simulators when no API is configured, by API name. */
  readonly simulators: ReadonlyMap<string, MjSimulator>;
  /** The port the HTTP server listens on once started. */
  httpPort: number;
  /** The interface it listens on (HTTP_HOST). */
  httpAddress: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the whole bot without starting anything; `start()` connects, `stop()` tears it all down. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const scrubber = scrubberOf(config);
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, secrets: scrubber });
  const clock = options.clock ?? Date.now;
  const store = await openStore(config.STORE_URL, logger);
  // Alerts go out once the client exists: an API's state change is logged at once and posted to ALERT_CHANNEL_ID.
  let alert: (upstream: Upstream) => void = () => undefined;
  // What an operator graphs (GET /metrics); its gauges read the tracker and the APIs once they exist.
  const gauges = { tasksInFlight: () => 0, upstreams: (): Array<{ name: string; state: string }> => [] };
  const metrics = new Metrics({ tasksInFlight: () => gauges.tasksInFlight(), upstreams: () => gauges.upstreams() });
  const apis = await startApis(config, {
    logger,
    scrubber,
    clock,
    simulator: options.simulator,
    changed: (upstream) => alert(upstream),
    observe: (upstream, endpoint, outcome) => metrics.apiRequests.inc({ endpoint, outcome, upstream }),
  });
  const { upstreams } = apis;
  const shards = shardsOf(config);
  const client = createDiscordClient({ apiUrl: config.DISCORD_API_URL, logger, shards, shardCount: config.SHARD_COUNT });
  const discordAnswered = (method: string, path: string, status: number) => {
    const route = routeGroup(method, path);
    metrics.discordRequests.inc({ route, status: status === 429 ? '429' : `${Math.floor(status / 100)}xx` });
    if (status === 429) metrics.discordRateLimited.inc({ route });
  };
  client.rest.on(RESTEvents.Response, (request, response) => discordAnswered(request.method, String(request.path), response.status));
  // Results may come from the API's own origin (a self-hosted proxy on a LAN) and the admin's RESULT_ORIGINS;
  // anything else must be a public address. Members' attachments come from Discord's CDN.
  const resolve = options.resolve ?? systemResolve;
  const apiOrigins = upstreams.all.map((upstream) => upstream.client.options.baseUrl);
  const resultDownloads = new Downloader({ trustedOrigins: [...apiOrigins, ...config.RESULT_ORIGINS], resolve });
  const attachmentDownloads = new Downloader({ trustedOrigins: config.DISCORD_API_URL ? [config.DISCORD_API_URL] : [], resolve });
  // The ledger counts the tracker's tasks in flight; the tracker tells it when a task ends (refunds).
  const settings = new ServerSettings(store, clock);
  const calendar = new Calendar(config.QUOTA_TIMEZONE);
  const usage = new UsageLog(store, calendar, clock);
  const quotas = new QuotaLedger({
    store,
    settings,
    usage,
    calendar,
    logger,
    clock,
    defaults: { daily: config.DEFAULT_DAILY_TASKS, concurrent: config.DEFAULT_CONCURRENT_TASKS },
    inFlight: (guildId, userId) => store.coordinator.memberTaskCount(guildId, userId),
    refused: (limit) => metrics.quotaRefusals.inc({ limit }),
  });
  const strikes = new Strikes(store, settings, clock);
  // The translator's requests follow the downloads' address rules; its configured origin is trusted (a LAN proxy).
  const translator = apis.translator
    ? new ChatTranslator({ ...apis.translator, scrubber, logger: logger.child({ component: 'translator' }), resolve })
    : undefined;
  const translation = new PromptTranslation(translator, store, logger, clock);
  const choices = new PendingChoices(store, clock);
  const webhookEdits = new WebhookEdits(client.rest, discordAnswered);
  const publisher = new RestPublisher(client.rest, webhookEdits, logger, clock);
  // Buttons the task's own API would refuse are not drawn (by the tracker, and when stars change a card later).
  const render = (record: TrackedTask): RenderOptions => {
    const { provider } = upstreams.ref(record.taskId).upstream;
    return { hideAction: (customId) => providerRejects(provider, customId) };
  };
  const tracker = new Tracker(upstreams, store, publisher, logger, {
    pollIntervalMs: config.POLL_INTERVAL_MS,
    stallAfterMs: config.STALL_AFTER_MS,
    timeoutMs: config.TASK_TIMEOUT_MS,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    render,
    downloader: resultDownloads,
    retentionMs: retentionOf(config),
    // The quotas hear of every end (refunds); a prompt the API failed as banned is a strike for its member.
    onEnded: async (record) => {
      metrics.tasksFinished.inc({ kind: record.kind ?? 'task', status: record.state.kind, upstream: upstreams.ref(record.taskId).upstream.name });
      await quotas.taskEnded(record);
      await strikes.taskEnded(record);
    },
    cardLag: (ms) => metrics.cardLag.observe(ms / 1000),
    leaseMs: config.LEASE_MS,
    shards,
    clock,
    ...options.tracker,
  });
  gauges.tasksInFlight = () => tracker.inFlight;
  gauges.upstreams = () => upstreams.all.map((upstream) => ({ name: upstream.name, state: upstream.health.state }));
  const history = new History(store, clock);
  const starter = new Starter({
    config,
    upstreams,
    store,
    settings,
    quotas,
    strikes,
    translation,
    choices,
    tracker,
    publisher,
    logger,
    clock,
    history,
    started: (kind, upstream, count) => metrics.tasksStarted.inc({ kind, upstream }, count),
  });
  const stars = new Stars(store, clock, retentionOf(config));
  const starCards = new StarCards({ store, stars, publisher, render, logger, clock });
  const showcase = new Showcase({ config, rest: client.rest, stars, settings, downloads: attachmentDownloads, starCards, logger, clock });
  const ctx: BotContext = {
    config,
    rest: client.rest,
    logger,
    upstreams,
    store,
    tracker,
    uploads: new UploadBudget(config.UPLOAD_BUDGET_BYTES),
    downloads: attachmentDownloads,
    resolve,
    settings,
    quotas,
    usage,
    starter,
    strikes,
    translation,
    choices,
    stars,
    history,
    starCards,
    showcase,
    clickGuard: new ClickGuard(store, config, clock),
    editor: new EditorSessions(store, clock),
    clock,
  };
  const editor = new EditorRoutes({
    sessions: ctx.editor,
    store,
    starter,
    upstreams,
    downloader: resultDownloads,
    logger,
    clock,
    refreshMember: (member) => refreshMember(client, member),
  });
  // The page and its routes are loaded only in playground mode.
  const playground = options.playground
    ? new (await import('./playground/playground-routes')).PlaygroundRoutes(options.playground, logger, apiOrigins.map((url) => new URL(url).origin), config.PLAYGROUND_TOKEN, apis.simulators)
    : undefined;
  // The fleet's view for /healthz: every process's heartbeat (one process alone: itself).
  const fleetOf = async () => {
    const processes = await store.coordinator.fleet().catch(() => []);
    return { processes: processes.length, tasksInFlight: processes.reduce((sum, p) => sum + p.owned, 0) };
  };
  const http = createHttpServer({
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    notifySecrets: notifySecretsOf(config),
    notifyUpstreams: upstreams.all.map((upstream) => upstream.name).filter((name) => name !== DEFAULT_UPSTREAM),
    logger,
    clock,
    // To whichever process owns the task (through Redis in a fleet).
    routes: async (req, res, path, bodies) => (await playground?.handle(req, res, path, bodies)) || editor.handle(req, res, path, bodies),
    onNotify: (taskId, name) => {
      const upstream = upstreams.get(name);
      if (!upstream) return;
      void store.coordinator.hint(upstreams.key(upstream, taskId)).catch((err: unknown) => logger.warn({ err }, 'could not pass on a callback'));
    },
    metrics: () => metrics.scrape(),
    health: async () => {
      const gateway = client.ws.status === Status.Ready ? 'ready' : 'not ready';
      const storeOk = await store.ping();
      return {
        // Healthy while one API is up: new tasks go to it, and the others' cards keep updating when they answer.
        ok: gateway === 'ready' && storeOk && upstreams.anyUp,
        gateway,
        store: storeOk ? 'ok' : 'failing',
        api: upstreams.anyUp ? 'ok' : 'down',
        upstreams: upstreamHealth(upstreams, tracker),
        tasksInFlight: tracker.inFlight,
        process: store.coordinator.processId,
        shards,
        fleet: await fleetOf(),
        checkedAt: new Date(clock()).toISOString(),
      };
    },
  });
  alert = (upstream) => announce(upstream, { config, rest: client.rest, logger });
  const route = createInteractionRouter(ctx, options.commands ?? defaultCommands);
  client.on(Events.InteractionCreate, (interaction) => void route(interaction));
  // ALLOWED_GUILD_IDS: the bot leaves any other server it is invited to (and any it was in before the list was set).
  const allowed = config.ALLOWED_GUILD_IDS;
  const leaveIfNotAllowed = (guild: Guild) => {
    if (allowed.length === 0 || allowed.includes(guild.id)) return;
    logger.warn({ guild: guild.id }, 'leaving a server that is not in ALLOWED_GUILD_IDS');
    guild.leave().catch((err: unknown) => logger.warn({ err, guild: guild.id }, 'could not leave a server'));
  };
  client.on(Events.GuildCreate, leaveIfNotAllowed);
  client.once(Events.ClientReady, (ready) => {
    logger.info({ user: ready.user.tag, guilds: ready.guilds.cache.size }, 'connected to Discord');
    ready.guilds.cache.forEach(leaveIfNotAllowed);
  });

  // Retention: what outlived RETENTION_DAYS is deleted at start and every hour (store/index.ts, sweep).
  let sweepTimer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> = Promise.resolve();
  const sweepNow = () =>
    (sweeping = sweeping.then(async () => {
      try {
        const removed = await store.sweep(clock(), retentionOf(config));
        if (removed) logger.info({ removed }, 'expired records deleted');
      } catch (err) {
        logger.warn({ err }, 'store sweep failed; it runs again within the hour');
      }
    }));

  const app: App = {
    config,
    ctx,
    client,
    store,
    tracker,
    simulators: apis.simulators,
    httpPort: 0,
    httpAddress: '',
    async start() {
      const resumed = await tracker.resume();
      if (resumed) logger.info({ tasks: resumed }, 'resuming tasks that were in flight');
      ({ port: app.httpPort, address: app.httpAddress } = await http.listen());
      logger.info({ host: app.httpAddress, port: app.httpPort, notify: upstreams.all.some((upstream) => Boolean(upstream.notifyUrl)) }, 'http server listening');
      tracker.start();
      // The same bulk PUT as deploy-commands, so the page offers exactly what a server would.
      if (options.playground) await deployCommands(config, options.commands ?? defaultCommands);
      void sweepNow();
      sweepTimer = setInterval(() => void sweepNow(), 3_600_000);
      sweepTimer.unref();
      await client.login(config.DISCORD_TOKEN);
    },
    async stop() {
      clearInterval(sweepTimer);
      await sweeping;
      playground?.close();
      // Posts and star edits under way finish through the REST client before it goes.
      await showcase.idle();
      await starCards.stop();
      await client.destroy().catch((err: unknown) => logger.warn({ err }, 'discord disconnect failed'));
      await tracker.stop();
      await http.close();
      await apis.close();
      await translator?.close();
      await resultDownloads.close();
      await attachmentDownloads.close();
      await webhookEdits.close();
      await options.playground?.close();
      await store.close();
      metrics.stop();
    },
  };
  return app;
}
