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
  // discord.js and undici errors carry the request: its URL (interaction tokens), body and files.
  'err.url',
  'err.requestBody',
  'err.rawError',
  'err.body',
  '*.err.url',
  '*.err.requestBody',
  '*.err.rawError',
];

/** Path segments that are credentials: interaction/webhook tokens, the notifyHook secret. */
const SECRET_IN_TEXT: Array<[RegExp, string]> = [
  [/(\/(?:webhooks|interactions)\/\d+\/)[^/\s?"']+/g, '$1[redacted]'],
  [/(\/mj\/notify\/)[^/\s?"']+/g, '$1[redacted]'],
  // A Discord bot token (three dot-separated base64url parts) anywhere in a message.
  [/[\w-]{23,28}\.[\w-]{6}\.[\w-]{27,}/g, '[redacted]'],
  // File bytes sent as data-URLs never reach a log line in full.
  [/(data:[\w/+.-]+;base64,)[A-Za-z0-9+/=]{64,}/g, '$1…'],
];

function scrubText(text: string): string {
  return SECRET_IN_TEXT.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

const SAFE_ERROR_FIELDS = ['code', 'status', 'method', 'kind', 'httpStatus', 'errno', 'syscall'] as const;

/**
 * Errors are logged by a whitelist, not as they are: discord.js errors hold the request URL (with the
 * interaction token), the request body and its files; undici errors may hold headers. Text is scrubbed.
 */
function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: scrubText(String(error)).slice(0, 2000) };
  const out: Record<string, unknown> = { type: error.name, message: scrubText(error.message).slice(0, 2000) };
  if (error.stack) out.stack = scrubText(error.stack).slice(0, 4000);
  const fields = error as unknown as Record<string, unknown>;
  for (const key of SAFE_ERROR_FIELDS) {
    const value = fields[key];
    if (typeof value === 'string' || typeof value === 'number') out[key] = typeof value === 'string' ? scrubText(value) : value;
  }
  if (typeof fields.url === 'string') out.url = scrubText(fields.url.split('?')[0] ?? '');
  if (error.cause !== undefined && depth < 3) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

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
    serializers: { err: serializeError, error: serializeError },
  };
  if (destination) return pino(options, destination as pino.DestinationStream);
  if (pretty && prettyAvailable()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service' } } });
  }
  return pino(options);
}
