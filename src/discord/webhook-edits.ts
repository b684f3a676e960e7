import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DiscordAPIError, HTTPError, type REST } from 'discord.js';
import { Agent } from 'undici';
import { exchange } from '../net/exchange';
import type { Upload } from '../tasks/publisher';

const TIMEOUT_MS = 15_000;
const MAX_ANSWER_BYTES = 1 << 20;
/** Buckets remembered as empty; past this many, the ones whose wait is over are forgotten. */
const MAX_BUCKETS = 10_000;
const USER_AGENT = 'DiscordBot (mj-bridge, 0.1.0)';

/** Past a bucket's reset before its next request: Discord's own clock and the trip there differ by a few ms. */
const RESET_MARGIN_MS = 50;
const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** An edit not sent: its caller's `mayEdit` said no once the bucket had room (src/tasks/fleet.ts: a lease ran out). */
export class EditWithheld extends Error {
  constructor() {
    super('edit withheld: this process may no longer own the card');
  }
}

/**
 * Card edits through an interaction's webhook token: most of what the bot sends (every progress step, and the
 * final card with its files). discord.js's REST client spends several times the CPU on each such request (route
 * hashing, a handler and queue per token, its request and response wrappers); this is the bot's own HTTP exchange
 * (the measured difference is in README, "Benchmark"). It keeps Discord's rules: a token whose bucket Discord said is empty waits for
 * its reset; a 429 throws like discord.js's errors, and the publisher tries again later. Interaction webhook routes
 * do not count against the bot's global limit. Every bot-token request stays with discord.js.
 */
export class WebhookEdits {
  private readonly agent = new Agent({ connections: 16, keepAliveTimeout: 10_000, connect: { timeout: 10_000 } });
  private readonly origin: string;
  private readonly prefix: string;
  /** Bucket (webhook and token) → when it has room again (ms), for buckets Discord said were empty. */
  private readonly emptyUntil = new Map<string, number>();

  /**
   * Waits are real time, as Discord's buckets are: not the app's clock, which tests may move. `observe` hears of
   * every answer (the metrics), by route template and status.
   */
  constructor(
    rest: REST,
    private readonly observe?: (method: string, route: string, status: number) => void,
  ) {
    const api = new URL(rest.options.api);
    this.origin = api.origin;
    this.prefix = `${api.pathname.replace(/\/$/, '')}/v${rest.options.version}`;
  }

  /**
   * PATCHes the message, with `files` as Discord's multipart form (`files[n]` and `payload_json`, as discord.js
   * sends them); resolves to Discord's answer (the message), throws discord.js's error types, or EditWithheld when
   * `mayEdit` says no after the wait for the bucket (a wait can last seconds, and what may be sent can change).
   */
  async edit(applicationId: string, token: string, messageId: string, body: unknown, files: readonly Upload[] = [], mayEdit?: () => boolean): Promise<{ id: string }> {
    const route = `/webhooks/${applicationId}/${token}/messages/${messageId}`;
    // Discord buckets a webhook's routes by the webhook and its token, whichever message they edit.
    const bucket = `${applicationId}/${token}`;
    await this.roomIn(bucket);
    if (mayEdit && !mayEdit()) throw new EditWithheld();
    const sent = files.length ? multipart(body, files) : { contentType: 'application/json', data: JSON.stringify(body) };
    const answer = await exchange(this.agent, {
      origin: this.origin,
      path: `${this.prefix}${route}`,
      method: 'PATCH',
      headers: { 'content-type': sent.contentType, 'user-agent': USER_AGENT },
      body: sent.data,
      timeoutMs: TIMEOUT_MS,
      maxBytes: MAX_ANSWER_BYTES,
    });
    this.observe?.('PATCH', '/webhooks/:app/:token/messages/:message', answer.status);
    const parsed = parseJson(answer.bytes?.toString('utf8') ?? '');
    if (answer.status >= 200 && answer.status < 300) {
      const empty = header(answer.headers['x-ratelimit-remaining']) === '0';
      this.remember(bucket, empty ? Number(header(answer.headers['x-ratelimit-reset-after'])) : 0);
      return parsed as { id: string };
    }
    if (answer.status === 429) {
      // The publisher tries again later (src/tasks/delivery.ts); until then this bucket is known to be empty.
      const retryAfter = (parsed as { retry_after?: unknown } | undefined)?.retry_after ?? header(answer.headers['retry-after']);
      this.remember(bucket, Number(retryAfter ?? 1));
    }
    const url = `${this.origin}${this.prefix}${route}`;
    if (parsed && typeof parsed === 'object' && 'message' in parsed) {
      const raw = parsed as { code?: number; message: string };
      throw new DiscordAPIError(raw as never, raw.code ?? answer.status, answer.status, 'PATCH', url, { body, files: [...files] });
    }
    throw new HTTPError(answer.status, String(answer.status), 'PATCH', url, { body, files: [...files] });
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  /**
   * Waits until Discord said the bucket has room again, and a margin past it. Timers and Date.now() count whole
   * milliseconds while the clock does not: a wait ends up to a millisecond early (measured on Node 20: one wait in
   * eight, by up to 0.3 ms), and with an answer read within the millisecond Discord sent it, the next edit reached
   * the still-empty bucket (a 429 in a benchmark run). The time is read again after each wait, so a step of the
   * clock cannot send it early either.
   */
  private async roomIn(bucket: string): Promise<void> {
    const until = this.emptyUntil.get(bucket);
    if (until === undefined) return;
    for (let waits = 0; waits < 10; waits += 1) {
      const wait = until + RESET_MARGIN_MS - Date.now();
      if (wait <= 0) break;
      await sleep(Math.min(wait, 60_000));
    }
    if (this.emptyUntil.get(bucket) === until) this.emptyUntil.delete(bucket);
  }

  /** `seconds`: how long Discord said the bucket stays empty (0 or unreadable: it has room). */
  private remember(bucket: string, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds <= 0) return;
    if (this.emptyUntil.size >= MAX_BUCKETS) {
      const now = Date.now();
      for (const [key, until] of this.emptyUntil) if (until <= now) this.emptyUntil.delete(key);
      // Still full of live waits: the oldest is forgotten (at worst one 429, and the publisher tries again).
      if (this.emptyUntil.size >= MAX_BUCKETS) this.emptyUntil.delete(this.emptyUntil.keys().next().value!);
    }
    this.emptyUntil.set(bucket, Date.now() + Math.min(seconds, 60) * 1000);
  }
}

/** A part's file name inside its quoted header: no quotes, no line breaks. */
const quotedName = (name: string) => name.replace(/["\r\n\\]/g, '_');

/** Discord's multipart form in one buffer: each file as `files[n]`, then the message as `payload_json`. */
function multipart(body: unknown, files: readonly Upload[]): { contentType: string; data: Buffer } {
  const boundary = `mj-bridge-${randomUUID()}`;
  const parts: Buffer[] = [];
  files.forEach((file, index) => {
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="files[${index}]"; filename="${quotedName(file.name)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`;
    parts.push(Buffer.from(head), file.data, Buffer.from('\r\n'));
  });
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="payload_json"\r\n\r\n${JSON.stringify(body)}\r\n--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, data: Buffer.concat(parts) };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
