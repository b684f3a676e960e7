import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const logger = createLogger({ level: config.LOG_LEVEL });
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
process.on('uncaughtException', (err) => logger.fatal({ err }, 'uncaught exception'));

const app = await createApp(config, { logger });
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
} catch (err) {
  logger.fatal({ err }, 'could not start: check DISCORD_TOKEN and the network');
  await app.stop().catch(() => undefined);
  process.exit(1);
}
