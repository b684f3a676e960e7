// index.ts: the entry of the process (each folder's index.ts is that folder's entry): `npm start` runs this.
import { createApp } from './app';
import { ConfigError, loadConfig, readEnvironment, scrubberOf } from './config';
import { createLogger } from './logger';
import { playgroundAccess, playgroundRefusal, startPlayground, wantsPlayground } from './playground/boot';

// `npm run play -- --upstreams 2`: the playground with two simulated APIs (SIMULATOR_UPSTREAMS), to watch failover.
const upstreamsFlag = process.argv.indexOf('--upstreams');
const environment = { ...readEnvironment(), ...(upstreamsFlag > 0 ? { SIMULATOR_UPSTREAMS: process.argv[upstreamsFlag + 1] } : {}) };
// No Discord application configured (or `npm run play`): the real bot against a local Discord, with a page.
const wanted = wantsPlayground(environment, process.argv);
const refusal = wanted ? playgroundRefusal(environment, process.argv) : undefined;
if (refusal) {
  process.stderr.write(`${refusal}\n`);
  process.exit(1);
}
const playground = wanted ? await startPlayground() : undefined;
let config;
try {
  config = loadConfig(playground ? { ...environment, ...playground.env } : environment);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const logger = createLogger({ level: config.LOG_LEVEL, secrets: scrubberOf(config) });
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
process.on('uncaughtException', (err) => logger.fatal({ err }, 'uncaught exception'));

const app = await createApp(config, { logger, ...(playground ? { playground: playground.discord } : {}) });
let stopping: Promise<void> | undefined;
const shutdown = (signal: string) =>
  (stopping ??= (async () => {
    logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), 10_000).unref();
    await app.stop();
    logger.flush();
    process.exit(0);
  })());
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await app.start();
  if (playground) {
    // The page's #showcase works at once, as if an admin had run `/admin showcase channel: showcase threshold: 1`.
    const { guildId, alice } = playground.discord.world;
    await app.ctx.settings.update(guildId, (s) => void (s.showcase ??= { channelId: playground.showcaseChannelId, threshold: 1, setBy: alice.id }));
    const host = app.httpAddress === '0.0.0.0' || app.httpAddress === '::' ? '127.0.0.1' : app.httpAddress;
    logger.warn(
      { url: `http://${host}:${app.httpPort}/` },
      `🎮 PLAYGROUND MODE: no Discord application is configured, so the bot runs against a local Discord. Open http://${host}:${app.httpPort}/ in a browser. Set DISCORD_TOKEN and DISCORD_APPLICATION_ID to use it in your server.`,
    );
    logger.info({ access: playgroundAccess(config.PLAYGROUND_TOKEN) }, 'who can use the playground');
  }
} catch (err) {
  logger.fatal({ err }, 'could not start: check DISCORD_TOKEN and the network');
  await app.stop().catch(() => undefined);
  process.exit(1);
}
