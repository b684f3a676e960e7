import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { LOCALES } from './i18n/format';
import { MODES } from './mj/modes';
import { PROVIDER_NAMES, PROVIDERS, type ProviderName } from './mj/providers';
import { Scrubber } from './secrets';

/** Variables whose presence means "unset" when empty, so `.env` lines like `PUBLIC_URL=` are harmless. */
const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess(blankToUndefined, schema.default(fallback as never));

const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17 to 20 digits)');
const httpUrl = z
  .string()
  .refine((value) => /^https?:\/\/[^\s]+$/.test(value) && URL.canParse(value), 'must be an http(s):// URL');
/** A URL path with a placeholder the client fills in, e.g. `/mj-{mode}`. */
const pathTemplate = (placeholder: string, example: string) =>
  z
    .string()
    .regex(/^\/[A-Za-z0-9_\-/{}]*$/, `must be a path such as ${example}`)
    .refine((value) => value.includes(placeholder), `must contain ${placeholder}`);
/** Comma-separated http(s) origins, e.g. `https://cdn.example.com, http://10.0.0.5:9000`. */
const originList = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
  .refine((entries) => entries.every((entry) => /^https?:\/\/[^\s/]+\/?$/.test(entry) && URL.canParse(entry)), 'must be http(s) origins separated by commas, e.g. https://cdn.example.com')
  .transform((entries) => entries.map((entry) => new URL(entry).origin));
/** Comma-separated Discord ids; empty = any. */
const snowflakeList = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
  .refine((entries) => entries.every((entry) => /^\d{17,20}$/.test(entry)), 'must be Discord server ids (17 to 20 digits) separated by commas');
/** An IANA time zone name Node knows, e.g. UTC, Europe/Berlin, Asia/Shanghai. */
const timeZone = z.string().refine((value) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as UTC, Europe/Berlin or Asia/Shanghai');
/** Comma-separated secrets, newest first: the first is sent, all are accepted (rotation). */
const secretList = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
  .refine((entries) => entries.length > 0 && entries.every((entry) => /^[A-Za-z0-9_-]{16,128}$/.test(entry)), 'must be 16 to 128 letters, digits, - or _ (several separated by commas while rotating)');
const integer = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/**
 * One API of MJ_UPSTREAMS: `name`, `url` and `key` as MJ_API_URL/MJ_API_KEY, a provider preset with the same
 * per-API overrides, a weight, and the speed modes it may be used for (default: all its preset offers).
 */
const upstreamSchema = z
  .object({
    name: z.string({ message: 'is required' }).regex(/^[a-z0-9-]{1,32}$/, 'must be 1 to 32 lower-case letters, digits or -'),
    url: httpUrl,
    key: z.string().optional(),
    provider: z.enum(PROVIDER_NAMES, { message: `must be one of ${PROVIDER_NAMES.join(', ')}` }).default('custom'),
    weight: z.number({ message: 'must be a positive whole number' }).int('must be a positive whole number').positive('must be a positive whole number').default(1),
    modes: z.array(z.enum(MODES, { message: `must list modes among ${MODES.join(', ')}` })).min(1, 'must list at least one mode').optional(),
    authHeader: z.enum(['mj-api-secret', 'bearer'], { message: 'must be mj-api-secret or bearer' }).optional(),
    modePrefix: pathTemplate('{mode}', '/mj-{mode} or /{mode}').optional(),
    videoFetchPath: pathTemplate('{id}', '/mjvideo/fetch/{id}').optional(),
  })
  .strict();
export type UpstreamConfig = z.infer<typeof upstreamSchema>;

/** MJ_UPSTREAMS: a JSON array of APIs, names unique. Errors name the entry (by position and name) and the field. */
const upstreamList = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of APIs, e.g. [{"name":"alpha","url":"https://…","key":"…"}]' });
      return z.NEVER;
    }
  })
  .pipe(z.array(upstreamSchema, { message: 'must be a JSON array of APIs' }).min(1, 'must list at least one API'))
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const [i, upstream] of list.entries()) {
      if (seen.has(upstream.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'is used twice: names must be unique' });
      seen.add(upstream.name);
    }
  });

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const discordShape = {
  DISCORD_TOKEN: z.string({ message: 'is required' }).min(1, 'is required'),
  DISCORD_APPLICATION_ID: z.string({ message: 'is required' }).pipe(snowflake),
  DISCORD_GUILD_ID: optional(snowflake),
  DISCORD_API_URL: optional(httpUrl),
  LOG_LEVEL: withDefault(z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }), 'info'),
};

const botShape = {
  ...discordShape,
  MJ_PROVIDER: withDefault(z.enum(PROVIDER_NAMES, { message: `must be one of ${PROVIDER_NAMES.join(', ')}` }), 'custom'),
  MJ_API_URL: optional(httpUrl),
  MJ_UPSTREAMS: optional(upstreamList),
  MJ_API_KEY: optional(z.string()),
  MJ_AUTH_HEADER: optional(z.enum(['mj-api-secret', 'bearer'], { message: 'must be mj-api-secret or bearer' })),
  MJ_MODE_PREFIX: optional(pathTemplate('{mode}', '/mj-{mode} or /{mode}')),
  MJ_VIDEO_FETCH_PATH: optional(pathTemplate('{id}', '/mjvideo/fetch/{id}')),
  MJ_DEFAULT_MODE: optional(z.enum(MODES, { message: `must be one of ${MODES.join(', ')}` })),
  STORE_URL: withDefault(
    z.string().regex(/^(sqlite|memory|redis|rediss|postgres|postgresql):\/\//, 'must start with sqlite://, memory://, redis:// or postgres://'),
    'sqlite://data/bot.sqlite',
  ),
  HTTP_PORT: withDefault(integer(0, 65535), 8787),
  HTTP_HOST: withDefault(z.string().regex(/^[A-Za-z0-9.:-]+$/, 'must be an interface address such as 127.0.0.1 or 0.0.0.0'), '127.0.0.1'),
  NOTIFY_SECRET: optional(secretList),
  RESULT_ORIGINS: withDefault(originList, [] as never),
  UPLOAD_BUDGET_BYTES: withDefault(integer(1024 * 1024, 4 * 1024 * 1024 * 1024), 96 * 1024 * 1024),
  RETENTION_DAYS: withDefault(integer(1, 3650), 30),
  DEFAULT_DAILY_TASKS: withDefault(integer(0, 10_000), 25),
  DEFAULT_CONCURRENT_TASKS: withDefault(integer(1, 100), 2),
  ALLOWED_GUILD_IDS: withDefault(snowflakeList, [] as never),
  QUOTA_TIMEZONE: withDefault(timeZone, 'UTC'),
  DEFAULT_LOCALE: withDefault(z.enum(LOCALES, { message: `must be one of ${LOCALES.join(', ')}` }), 'en'),
  SHARD_COUNT: withDefault(integer(1, 1024), 1),
  SHARD_IDS: optional(
    z
      .string()
      .regex(/^\d+(\s*,\s*\d+)*$/, 'must be shard numbers separated by commas, e.g. 0 or 0,1')
      .transform((value) => value.split(',').map((n) => Number(n.trim()))),
  ),
  LEASE_MS: withDefault(integer(1_000, 600_000), 15_000),
  PUBLIC_URL: optional(httpUrl),
  PLAYGROUND_TOKEN: optional(z.string().regex(/^[A-Za-z0-9_-]{24,128}$/, 'must be 24 to 128 letters, digits, - or _')),
  POLL_INTERVAL_MS: withDefault(integer(250, 600_000), 3000),
  STALL_AFTER_MS: withDefault(integer(10_000, 86_400_000), 180_000),
  TASK_TIMEOUT_MS: withDefault(integer(60_000, 7 * 86_400_000), 3_600_000),
  MAX_UPLOAD_BYTES: withDefault(integer(1024, 500 * 1024 * 1024), 10 * 1024 * 1024),
  SIMULATOR_RUN_MS: withDefault(integer(100, 600_000), 20_000),
  SIMULATOR_UPSTREAMS: withDefault(integer(1, 4), 1),
  ALERT_CHANNEL_ID: optional(snowflake),
  TRANSLATE_URL: optional(httpUrl),
  TRANSLATE_KEY: optional(z.string()),
  TRANSLATE_MODEL: withDefault(z.string().regex(/^[\w.:/@+-]{1,100}$/, 'must be a model name such as gpt-4o-mini'), 'gpt-4o-mini'),
};

const discordSchema = z.object(discordShape);
const botSchema = z.object(botShape).superRefine((config, ctx) => {
  if (config.MJ_API_URL && config.MJ_UPSTREAMS) {
    ctx.addIssue({ code: 'custom', path: ['MJ_API_URL'], message: 'and MJ_UPSTREAMS are both set: configure one API with MJ_API_URL, or several with MJ_UPSTREAMS' });
  }
  if (config.SHARD_IDS?.some((id) => id >= config.SHARD_COUNT)) {
    ctx.addIssue({ code: 'custom', path: ['SHARD_IDS'], message: 'must list shards below SHARD_COUNT (0 to SHARD_COUNT - 1)' });
  }
});

export type DiscordConfig = z.infer<typeof discordSchema>;
type RawConfig = z.infer<typeof botSchema>;
export interface Config extends RawConfig {
  MJ_PROVIDER: ProviderName;
}

/** Thrown when the environment is unusable; its message names every bad variable and never a value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'See .env.example for what each variable means.',
    );
    this.name = 'ConfigError';
  }
}

/** "entry 2 (beta)": which API of MJ_UPSTREAMS a problem is about, by position and name (never a key or a URL). */
function upstreamEntry(text: string, index: number): string {
  let name: unknown;
  try {
    name = (JSON.parse(text) as Array<{ name?: unknown }>)[index]?.name;
  } catch {
    name = undefined;
  }
  const safe = typeof name === 'string' && /^[a-z0-9-]{1,32}$/.test(name) ? ` (${name})` : '';
  return `entry ${index + 1}${safe}`;
}

function parseWith<T>(schema: z.ZodType<T>, source: Record<string, string | undefined>): T {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const [variable, index, ...field] = issue.path.map(String);
    const entry = (source[variable!] && variable === 'MJ_UPSTREAMS' && index !== undefined) ? upstreamEntry(source[variable!]!, Number(index)) : undefined;
    const key = entry ? `${variable} ${entry}${field.length ? ` field ${field.join('.')}` : ''}` : issue.path.join('.') || '(environment)';
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return `${key} ${message}`;
  });
  throw new ConfigError(problems);
}

/** `.env` (if present) merged under the process environment: the process environment wins. */
export function readEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  envFile = '.env',
): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...env };
}

/** The Discord shards this process serves: SHARD_IDS, or every shard of SHARD_COUNT. */
export const shardsOf = (config: Pick<Config, 'SHARD_COUNT' | 'SHARD_IDS'>): number[] =>
  config.SHARD_IDS ?? Array.from({ length: config.SHARD_COUNT }, (_, i) => i);

/** How long finished tasks, their buttons and one-shot click records are kept (RETENTION_DAYS). */
export const retentionOf = (config: Pick<Config, 'RETENTION_DAYS'>): number => config.RETENTION_DAYS * 86_400_000;

/**
 * The notifyHook path's accepted secrets, the one to send first: NOTIFY_SECRET, or one derived from the bot token
 * (stable across restarts, unguessable, never logged).
 */
export const notifySecretsOf = (config: Pick<Config, 'NOTIFY_SECRET' | 'DISCORD_TOKEN'>): string[] =>
  config.NOTIFY_SECRET ?? [createHmac('sha256', config.DISCORD_TOKEN).update('mj-bridge notifyHook').digest('base64url').slice(0, 32)];

/**
 * The APIs of this bot: MJ_UPSTREAMS, or the one MJ_API_URL configures (named `default`, with MJ_PROVIDER and the
 * MJ_* overrides). Without either, one `default` API with no URL: the built-in simulator's, filled in at start.
 */
export function upstreamsOf(config: Config): Array<Omit<UpstreamConfig, 'url'> & { url: string | undefined }> {
  if (config.MJ_UPSTREAMS) return config.MJ_UPSTREAMS;
  return [
    {
      name: 'default',
      url: config.MJ_API_URL,
      key: config.MJ_API_KEY,
      provider: config.MJ_PROVIDER,
      weight: 1,
      ...(config.MJ_AUTH_HEADER ? { authHeader: config.MJ_AUTH_HEADER } : {}),
      ...(config.MJ_MODE_PREFIX ? { modePrefix: config.MJ_MODE_PREFIX } : {}),
      ...(config.MJ_VIDEO_FETCH_PATH ? { videoFetchPath: config.MJ_VIDEO_FETCH_PATH } : {}),
    },
  ];
}

/** The chat API that translates prompts (src/translator/): where, with which key and model. */
export interface TranslatorTarget {
  /** Its base URL: requests go to `{url}/v1/chat/completions`. */
  url: string;
  key: string | undefined;
  model: string;
}

/**
 * The translator: TRANSLATE_URL, else the first API whose preset's provider sells a chat API under the same key
 * (`simulated`: the built-in simulator, which answers one, so the playground translates offline); none: no
 * translation. Its key is TRANSLATE_KEY, else the key of the API at the same origin: an API's key never goes to
 * another host.
 */
export function translatorOf(
  config: Pick<Config, 'TRANSLATE_URL' | 'TRANSLATE_KEY' | 'TRANSLATE_MODEL'>,
  apis: ReadonlyArray<{ url: string; key?: string | undefined; provider: ProviderName }>,
  simulated: boolean,
): TranslatorTarget | undefined {
  const url = config.TRANSLATE_URL ?? apis.find((api) => simulated || PROVIDERS[api.provider].sellsChat)?.url;
  if (!url) return undefined;
  const origin = new URL(url).origin;
  const key = config.TRANSLATE_KEY ?? apis.find((api) => URL.canParse(api.url) && new URL(api.url).origin === origin)?.key;
  return { url, key: key || undefined, model: config.TRANSLATE_MODEL };
}

/** Every configured secret, for text that may echo one (src/secrets.ts). */
export const scrubberOf = (config: Pick<Config, 'NOTIFY_SECRET' | 'DISCORD_TOKEN' | 'MJ_API_KEY' | 'PLAYGROUND_TOKEN' | 'MJ_UPSTREAMS' | 'TRANSLATE_KEY'>): Scrubber =>
  new Scrubber([config.DISCORD_TOKEN, config.MJ_API_KEY, config.PLAYGROUND_TOKEN, config.TRANSLATE_KEY, ...notifySecretsOf(config), ...(config.MJ_UPSTREAMS ?? []).map((u) => u.key)]);

export function loadConfig(source: Record<string, string | undefined> = readEnvironment()): Config {
  return parseWith(botSchema, source);
}

/** Only what talking to Discord needs: the deploy script must run without any MJ settings. */
export function loadDiscordConfig(source: Record<string, string | undefined> = readEnvironment()): DiscordConfig {
  return parseWith(discordSchema, source);
}
