import { Routes, type REST } from 'discord.js';
import { notifySecretsOf, translatorOf, upstreamsOf, type Config, type TranslatorTarget } from './config';
import { messagesFor } from './i18n';
import type { Logger } from './logger';
import { MjClient } from './mj/client';
import { UpstreamHealth } from './mj/health';
import { PROVIDERS, type ProviderPreset } from './mj/providers';
import { DEFAULT_UPSTREAM, Upstreams, type Upstream } from './mj/upstreams';
import { ipLiteral } from './net/addresses';
import type { Scrubber } from './secrets';
import type { MjSimulator, SimulatorOptions } from './simulator';

/** The names of the simulated APIs of `SIMULATOR_UPSTREAMS` (the playground's failover demo). */
const SIMULATED_NAMES = ['alpha', 'beta', 'gamma', 'delta'];

/** The callback path of one API: its name after the secret, but for the default API (whose path never changed). */
function notifyPath(secret: string, upstream: string): string {
  return upstream === DEFAULT_UPSTREAM ? `/mj/notify/${secret}` : `/mj/notify/${secret}/${upstream}`;
}

/** Whether an API URL leaves this machine (then plain http exposes the key on the wire). */
function leavesThisMachine(apiUrl: string): boolean {
  const host = new URL(apiUrl).hostname;
  const ip = ipLiteral(host);
  if (ip !== undefined) return !/^(127\.|::1$|::ffff:127\.)/.test(ip);
  return !/^localhost\.?$/i.test(host);
}

export interface ApisOptions {
  logger: Logger;
  scrubber: Scrubber;
  clock: () => number;
  /** Options for the built-in simulator (started when no API URL is configured). */
  simulator?: SimulatorOptions | undefined;
  /** An API's state changed. */
  changed(upstream: Upstream): void;
  /** Every request's outcome at each API, for the metrics. */
  observe?(upstream: string, endpoint: string, outcome: string): void;
}

/**
 * The APIs of the configuration (src/config.ts, upstreamsOf), each with its client, its preset (with the per-API
 * overrides), its modes, its callback URL and its health; with nothing configured, the built-in simulator (or
 * SIMULATOR_UPSTREAMS of them, named alpha, beta, …) in their place. `close` stops the clients and simulators.
 * `translator`: the chat API that translates prompts, if any (src/config.ts, translatorOf; the simulator answers one).
 */
export async function startApis(
  config: Config,
  options: ApisOptions,
): Promise<{ upstreams: Upstreams; simulators: Map<string, MjSimulator>; translator: TranslatorTarget | undefined; close(): Promise<void> }> {
  const { logger, scrubber, clock } = options;
  const simulators = new Map<string, MjSimulator>();
  let specs = upstreamsOf(config);
  if (!specs[0]!.url) {
    // Loaded only as the demo API: a bot with an API configured never loads the simulator.
    const { startSimulator } = await import('./simulator');
    const simLog = logger.child({ component: 'simulator' });
    const names = config.SIMULATOR_UPSTREAMS > 1 ? SIMULATED_NAMES.slice(0, config.SIMULATOR_UPSTREAMS) : [DEFAULT_UPSTREAM];
    specs = [];
    for (const name of names) {
      const simulator = await startSimulator({ runMs: config.SIMULATOR_RUN_MS, log: (msg, data) => simLog.debug({ api: name, ...data }, msg), ...options.simulator });
      simulators.set(name, simulator);
      specs.push({ name, url: simulator.url, key: config.MJ_API_KEY, provider: config.MJ_PROVIDER, weight: 1 });
    }
    logger.warn(
      { urls: [...simulators.values()].map((s) => s.url) },
      '⚠️  No API configured (MJ_API_URL, MJ_UPSTREAMS): using the BUILT-IN SIMULATOR. Images are generated test pictures, not Midjourney. Set MJ_API_URL to use a real API.',
    );
  }
  const secret = notifySecretsOf(config)[0]!;
  const all: Upstream[] = specs.map((spec) => {
    const url = spec.url!;
    if (url.startsWith('http://') && leavesThisMachine(url)) {
      const which = spec.name === DEFAULT_UPSTREAM ? 'MJ_API_URL is plain http:// to another machine: MJ_API_KEY' : `The URL of API ${spec.name} is plain http:// to another machine: its key`;
      logger.warn({ api: spec.name, host: new URL(url).host }, `${which} and every prompt travel unencrypted. Use https:// unless the network between is yours.`);
    }
    const preset = PROVIDERS[spec.provider];
    const provider: ProviderPreset = {
      ...preset,
      authHeader: spec.authHeader ?? preset.authHeader,
      modePrefix: spec.modePrefix ?? preset.modePrefix,
      videoFetchPath: spec.videoFetchPath ?? preset.videoFetchPath,
    };
    const client = new MjClient({
      baseUrl: url,
      apiKey: spec.key,
      authHeader: provider.authHeader,
      modePrefix: provider.modePrefix,
      defaultMode: config.MJ_DEFAULT_MODE,
      provider,
      logger: logger.child({ api: spec.name }),
      scrubber,
      clock,
      ...(options.observe ? { observe: (endpoint: string, outcome: string) => options.observe!(spec.name, endpoint, outcome) } : {}),
    });
    // Only providers that forward notifyHook get one (resellers strip or refuse it).
    const notifyUrl = config.PUBLIC_URL && provider.callsNotifyHook ? `${config.PUBLIC_URL.replace(/\/+$/, '')}${notifyPath(secret, spec.name)}` : undefined;
    return { name: spec.name, weight: spec.weight, modes: spec.modes ?? provider.modes, provider, client, health: new UpstreamHealth(clock), notifyUrl };
  });
  const translator = translatorOf(config, specs.map((spec) => ({ url: spec.url!, key: spec.key, provider: spec.provider })), simulators.size > 0);
  if (translator?.url.startsWith('http://') && leavesThisMachine(translator.url)) {
    logger.warn({ host: new URL(translator.url).host }, 'the translator URL is plain http:// to another machine: its key and every prompt translated travel unencrypted.');
  }
  return {
    upstreams: new Upstreams(all, options.changed),
    simulators,
    translator,
    async close() {
      for (const upstream of all) await upstream.client.close();
      for (const simulator of simulators.values()) await simulator.close();
    },
  };
}

/** What /healthz says of each API, in configuration order. */
export function upstreamHealth(upstreams: Upstreams, tracker: { inFlightPer(group: (taskId: string) => string): Map<string, number> }) {
  const counts = tracker.inFlightPer((taskId) => upstreams.ref(taskId).upstream.name);
  return upstreams.all.map(({ name, health }) => ({
    name,
    state: health.state,
    tasksInFlight: counts.get(name) ?? 0,
    ...(health.lastError ? { lastError: health.lastError } : {}),
    since: new Date(health.since).toISOString(),
  }));
}

/**
 * An API's state changed: a log line, and a message in ALERT_CHANNEL_ID (in DEFAULT_LOCALE), once per change. The
 * reason is the API's own text, scrubbed of secrets when it was read (src/mj/client.ts).
 */
export function announce(upstream: Upstream, deps: { config: Pick<Config, 'ALERT_CHANNEL_ID' | 'DEFAULT_LOCALE'>; rest: REST; logger: Logger }): void {
  const { name, health } = upstream;
  const line = { api: name, state: health.state, reason: health.lastError || undefined };
  if (health.state === 'up') deps.logger.info(line, 'an API is up again');
  else deps.logger.warn(line, health.state === 'down' ? 'an API is down' : 'an API refuses new tasks');
  const channel = deps.config.ALERT_CHANNEL_ID;
  if (!channel) return;
  const t = messagesFor(deps.config.DEFAULT_LOCALE);
  const content = health.state === 'up' ? t.alerts.up(name) : health.state === 'down' ? t.alerts.down(name, health.lastError) : t.alerts.refusing(name, health.lastError);
  deps.rest
    .post(Routes.channelMessages(channel), { body: { content: content.slice(0, 2000), allowed_mentions: { parse: [] } } })
    .catch((err: unknown) => deps.logger.warn({ err, api: name }, 'could not post to ALERT_CHANNEL_ID'));
}
