import http from 'node:http';
import type { Ctx } from './request';
import { badBody, type Reply } from './families';
import type { SimHooks } from './hooks';
import { route } from './api-routes';

/** The HTTP side: reads every request, routes it (through the `around` hook, when there is one), answers. Listens on 127.0.0.1 only. */

const MAX_BODY = 64 * 1024 * 1024;

/** One request as the simulator read it. */
export interface SimCall {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  /** Parsed JSON; undefined when empty, 'invalid' when it did not parse. */
  body: unknown;
  raw: Buffer | undefined;
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export class SimServer {
  readonly server: http.Server;

  constructor(
    private readonly ctx: Ctx,
    private readonly hooks: Pick<SimHooks, 'around'> = {},
  ) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        ctx.s.log('simulator: handler error', { error: String(error) });
        if (!res.headersSent) this.send(res, { status: 500, body: { code: 9, description: '提交失败，系统异常' } });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  private readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) {
          resolve(undefined);
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { s } = this.ctx;
    const raw = await this.readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = flatHeaders(req.headers);
    let body: unknown;
    if (raw && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = 'invalid';
      }
    }
    const call: SimCall = { method, path: url.pathname, query: url.search.replace(/^\?/, ''), headers, body, raw };
    // Routing runs synchronously once called: everything a request starts has started when normal() returns.
    const normal = async (asked: SimCall = call): Promise<Reply> => {
      if (asked.raw === undefined) return { status: 413, raw: 'Payload Too Large' };
      return route(this.ctx, asked, () => badBody(s, asked.path, s.clock()));
    };
    const reply = this.hooks.around ? await this.hooks.around(call, normal) : await normal();
    if (reply === 'destroy') {
      req.socket.destroy();
      return;
    }
    this.send(res, reply);
    s.log('simulator: request', { method, path: url.pathname, status: reply.status });
  }

  private send(res: http.ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    let payload: Buffer | undefined;
    let contentType = reply.contentType;
    if (reply.raw !== undefined) payload = typeof reply.raw === 'string' ? Buffer.from(reply.raw) : reply.raw;
    else if (reply.body !== undefined) {
      payload = Buffer.from(JSON.stringify(reply.body));
      contentType ??= 'application/json; charset=utf-8';
    }
    if (reply.status === 204 || reply.status === 304) payload = undefined;
    const headers: Record<string, string> = {};
    if (payload && payload.length > 0 && contentType) headers['content-type'] = contentType;
    headers['content-length'] = String(payload?.length ?? 0);
    if (reply.location) headers.location = reply.location;
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
