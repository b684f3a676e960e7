import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { exchange } from './exchange';
import { allPublic, staticRefusal, systemResolve, type Resolve } from './links';

/** Thrown when a URL is not allowed: a private address, a scheme other than http(s), too many redirects. */
export class DownloadRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadRefused';
  }
}

export interface DownloaderOptions {
  /**
   * Origins (`scheme://host:port`) fetched even when they are private: the API's own origin, so a self-hosted
   * proxy on a LAN works, and the admin's RESULT_ORIGINS. Everything else must resolve to public addresses only.
   */
  trustedOrigins: readonly string[];
  maxRedirects?: number;
  /** Resolver for names (tests may point names at chosen addresses); default dns.lookup. */
  resolve?: Resolve;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** `new URL(x).origin` of every trusted entry that parses; bad entries are ignored (config validates them). */
function originsOf(urls: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const url of urls) if (URL.canParse(url)) out.add(new URL(url).origin);
  return out;
}

/**
 * Downloads files named by API answers (results) or by Discord (members' attachments) without letting
 * those answers reach internal addresses. Each hop of a redirect is checked again. For names, the check
 * happens inside the connection's own DNS lookup, so the socket connects to exactly the address that was
 * checked (no DNS rebinding between check and connect).
 */
export class Downloader {
  private readonly trusted: Set<string>;
  private readonly trustedAgent: Agent;
  private readonly publicAgent: Agent;
  private readonly maxRedirects: number;

  constructor(options: DownloaderOptions) {
    this.trusted = originsOf(options.trustedOrigins);
    this.maxRedirects = options.maxRedirects ?? 3;
    const resolve = options.resolve ?? systemResolve;
    const safeLookup: LookupFunction = (hostname, lookupOptions, callback) => {
      resolve(hostname, (err, addresses) => {
        if (err) return callback(err, '', 0);
        // Every address must be public: a name that also resolves privately could be answered either way.
        if (!allPublic(addresses)) {
          const error = Object.assign(new DownloadRefused(`${hostname} resolves to an address that is not public`), { code: 'EADDRREFUSED' });
          return callback(error, '', 0);
        }
        if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        const first = addresses[0]!;
        return callback(null, first.address, first.family);
      });
    };
    this.trustedAgent = new Agent({ connections: 16, connect: { timeout: 10_000 } });
    this.publicAgent = new Agent({ connections: 16, connect: { timeout: 10_000, lookup: safeLookup } });
  }

  /** Why a URL may not be fetched, or undefined when it may (names are checked again at connect time). */
  refusal(url: URL): string | undefined {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme ${url.protocol} is not http(s)`;
    return this.trusted.has(url.origin) ? undefined : staticRefusal(url);
  }

  /**
   * The body of `url` as bytes, following at most `maxRedirects` redirects; undefined when it is larger than
   * `maxBytes`. Throws DownloadRefused for a URL that is not allowed, Error for HTTP or network failures.
   */
  async download(rawUrl: string, maxBytes: number, timeoutMs = 30_000): Promise<Buffer | undefined> {
    // One deadline for the whole download, redirects included.
    const deadline = Date.now() + timeoutMs;
    let url = URL.canParse(rawUrl) ? new URL(rawUrl) : undefined;
    for (let hop = 0; url && hop <= this.maxRedirects; hop += 1) {
      const why = this.refusal(url);
      if (why) throw new DownloadRefused(why);
      const dispatcher = this.trusted.has(url.origin) ? this.trustedAgent : this.publicAgent;
      let answer;
      try {
        answer = await exchange(dispatcher, {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: {},
          timeoutMs: Math.max(1, deadline - Date.now()),
          maxBytes,
        });
      } catch (error) {
        // A refusal from the connection's lookup may arrive wrapped by undici.
        const cause = (error as { cause?: unknown }).cause;
        throw cause instanceof DownloadRefused ? cause : error;
      }
      if (REDIRECTS.has(answer.status)) {
        const location = answer.headers.location;
        const next = typeof location === 'string' && URL.canParse(location, url.href) ? new URL(location, url) : undefined;
        if (!next) throw new Error(`redirect without a usable location (HTTP ${answer.status})`);
        url = next;
        continue;
      }
      if (answer.status !== 200) throw new Error(`download answered HTTP ${answer.status}`);
      return answer.bytes;
    }
    throw url ? new DownloadRefused(`more than ${this.maxRedirects} redirects`) : new DownloadRefused('not a URL');
  }

  /**
   * One POST to `rawUrl` under the same address rules as downloads (its origin trusted, or public addresses only),
   * with its whole answer bounded by `maxBytes` (undefined when larger) and `timeoutMs`. Redirects are not followed:
   * a POST that moved is answered with its 3xx status, for the caller to refuse.
   */
  async post(rawUrl: string, request: { headers: Record<string, string>; body: string; maxBytes: number; timeoutMs: number }): Promise<{ status: number; bytes: Buffer | undefined }> {
    const url = URL.canParse(rawUrl) ? new URL(rawUrl) : undefined;
    if (!url) throw new DownloadRefused('not a URL');
    const why = this.refusal(url);
    if (why) throw new DownloadRefused(why);
    try {
      const answer = await exchange(this.trusted.has(url.origin) ? this.trustedAgent : this.publicAgent, {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        timeoutMs: request.timeoutMs,
        maxBytes: request.maxBytes,
      });
      return { status: answer.status, bytes: answer.bytes };
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      throw cause instanceof DownloadRefused ? cause : error;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.trustedAgent.close(), this.publicAgent.close()]);
  }
}
