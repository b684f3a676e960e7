import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger';
import { taskSchema, type MjTask } from '../mj/schemas';

/** Largest notifyHook body accepted: a task JSON is a few KB; base64 masks are stripped by sane servers. */
export const MAX_NOTIFY_BYTES = 512 * 1024;
export const NOTIFY_PATH = '/mj/notify/';

export interface Health {
  ok: boolean;
  [key: string]: unknown;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  notifySecret: string;
  logger: Logger;
  health(): Promise<Health>;
  /** A task report from the API; resolves to whether it was about a task in flight. */
  onNotify(task: MjTask): Promise<boolean>;
}

/** A secret path segment derived from the bot token: stable across restarts, unguessable, never logged. */
export function notifySecret(discordToken: string): string {
  return createHmac('sha256', discordToken).update('mj-bridge notifyHook').digest('base64url').slice(0, 32);
}

export function notifyUrl(publicUrl: string, secret: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${NOTIFY_PATH}${secret}`;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        resolve('too-large');
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** The bot's own HTTP server: `GET /healthz` always, and the notifyHook receiver. */
export function createHttpServer(options: HttpServerOptions): { server: Server; listen(): Promise<number>; close(): Promise<void> } {
  const { logger } = options;
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (req.method === 'GET' && path === '/healthz') {
        const health = await options.health();
        return send(res, health.ok ? 200 : 503, health);
      }
      if (path.startsWith(NOTIFY_PATH)) {
        // Unknown secrets look like unknown paths: nothing to learn by probing.
        if (req.method !== 'POST' || !sameSecret(path.slice(NOTIFY_PATH.length), options.notifySecret)) {
          return send(res, 404, { error: 'not found' });
        }
        const body = await readBody(req, MAX_NOTIFY_BYTES);
        if (body === 'too-large') return send(res, 413, { error: 'body too large' });
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          return send(res, 400, { error: 'body is not JSON' });
        }
        const task = taskSchema.safeParse(json);
        if (!task.success) return send(res, 400, { error: 'body is not a task' });
        const known = await options.onNotify(task.data);
        return send(res, 200, { ok: true, applied: known });
      }
      return send(res, 404, { error: 'not found' });
    })().catch((err: unknown) => {
      logger.error({ err }, 'http request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    });
  });
  server.keepAliveTimeout = 5_000;
  return {
    server,
    listen: () =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host ?? '0.0.0.0', () => resolve((server.address() as AddressInfo).port));
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
