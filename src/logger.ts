import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths that may carry a secret anywhere we log: tokens, API keys, authorization headers, notify secrets. */
const REDACT_PATHS = [
  'token',
  '*.token',
  '*.*.token',
  'apiKey',
  '*.apiKey',
  'DISCORD_TOKEN',
  '*.DISCORD_TOKEN',
  'MJ_API_KEY',
  '*.MJ_API_KEY',
  'authorization',
  'headers.authorization',
  'headers["mj-api-secret"]',
  '*.headers.authorization',
  '*.headers["mj-api-secret"]',
  'interactionToken',
  '*.interactionToken',
  'notifyHook',
  '*.notifyHook',
];

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export interface LoggerOptions {
  level: string;
  /** Pretty output only for a person at a terminal; JSON otherwise (pipes, files, CI). */
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger({ level, pretty = Boolean(process.stdout.isTTY), destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service: 'mj-bridge' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (destination) return pino(options, destination as pino.DestinationStream);
  if (pretty && prettyAvailable()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service' } } });
  }
  return pino(options);
}

/** Replaces every occurrence of the given secrets in free text (error messages, URLs) before it is logged. */
export function scrubSecrets(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}
