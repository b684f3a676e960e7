import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../src/logger';
import { MjApiError } from '../src/mj/errors';
import { MjHttp } from '../src/mj/http';
import { Agent } from 'undici';
import { Downloader } from '../src/net/downloader';
import { exchange } from '../src/net/exchange';

const logger = createLogger({ level: 'silent', pretty: false });
const liveTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

/** Answers /silent with nothing at all, /drip with headers and then a byte every 50 ms, forever, /fast at once. */
function startSlowServer(): Promise<{ url: string; server: Server; drips: Set<NodeJS.Timeout> }> {
  const drips = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/silent')) return;
    if (req.url?.startsWith('/fast')) return void res.end('[]');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[');
    const drip = setInterval(() => res.write(' '), 50);
    drips.add(drip);
    res.on('close', () => {
      clearInterval(drip);
      drips.delete(drip);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, drips })));
}

describe('every request to the API or for a file has a deadline, and leaves no timer behind', () => {
  let slow: Awaited<ReturnType<typeof startSlowServer>>;
  before(async () => {
    slow = await startSlowServer();
  });
  after(async () => {
    for (const drip of slow.drips) clearInterval(drip);
    slow.server.closeAllConnections();
    await new Promise((resolve) => slow.server.close(resolve));
  });

  it('the deadline timer ends with the exchange, not when the deadline would have passed', async () => {
    const agent = new Agent();
    try {
      const before = liveTimers();
      const pending = exchange(agent, { origin: slow.url, path: '/fast', method: 'GET', headers: {}, timeoutMs: 60_000, maxBytes: 1024 });
      const during = liveTimers();
      const answer = await pending;
      assert.equal(answer.bytes?.toString(), '[]');
      assert.equal(during, before + 1, 'one timer while the exchange runs');
      assert.equal(liveTimers(), before, 'none once it is done');
    } finally {
      await agent.close();
    }
  });

  for (const path of ['/silent', '/drip']) {
    it(`an API that ${path === '/silent' ? 'never answers' : 'drips its answer'} is cut off at the deadline`, async () => {
      const http = new MjHttp({ baseUrl: slow.url, apiKey: undefined, authHeader: 'mj-api-secret', logger });
      try {
        const error = await http.send('POST', path, { prompt: 'x' }, { idempotent: false, timeoutMs: 300 }).catch((e: unknown) => e);
        assert.ok(error instanceof MjApiError, String(error));
        assert.equal(error.kind, 'unavailable');
        assert.match(error.message, /TimeoutError/);
      } finally {
        await http.close();
      }
    });
  }

  it('a result file that drips is cut off at the deadline', async () => {
    const downloader = new Downloader({ trustedOrigins: [slow.url] });
    try {
      const error = await downloader.download(`${slow.url}/drip`, 1024 * 1024, 300).catch((e: unknown) => e);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'TimeoutError');
    } finally {
      await downloader.close();
    }
  });
});
