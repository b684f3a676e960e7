import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Downloader, DownloadRefused } from '../src/net/downloader';

/**
 * A name that resolves to a public and a private address at once (a rebinding attacker's DNS answer) must be
 * refused when connecting: the socket could pick either address, so one private answer refuses the whole name.
 * The private address is a real HTTP server on 127.0.0.1 that counts what reaches it.
 */
describe('the downloader and names that resolve to public and private addresses at once', () => {
  const seen = { connections: 0, requests: 0 };
  const server = createServer((_request, response) => {
    seen.requests += 1;
    response.end('secret');
  });
  server.on('connection', () => void (seen.connections += 1));
  let port = 0;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /**
   * A resolver answering like `dns.lookup(name, { all: true })`: every address, in the order given. The public one
   * is never connected to when the downloader is right: the refusal comes from the lookup, before any socket.
   */
  const answering = (addresses: LookupAddress[]) => (_hostname: string, callback: (err: Error | null, found: LookupAddress[]) => void) =>
    setImmediate(() => callback(null, addresses));

  const PUBLIC: LookupAddress = { address: '93.184.216.34', family: 4 };
  const LOCAL: LookupAddress = { address: '127.0.0.1', family: 4 };

  for (const [order, addresses] of [['public first', [PUBLIC, LOCAL]], ['private first', [LOCAL, PUBLIC]]] as const) {
    it(`refuses the name, and nothing reaches 127.0.0.1 (${order})`, async () => {
      const earlier = { ...seen };
      const downloader = new Downloader({ trustedOrigins: [], resolve: answering([...addresses]) });
      let outcome: unknown;
      try {
        outcome = await downloader.download(`http://cdn.example:${port}/x.png`, 1024, 5_000).catch((error: unknown) => error);
      } finally {
        await downloader.close();
      }
      assert.deepEqual(seen, earlier, 'no connection and no request reached the local server');
      assert.ok(outcome instanceof DownloadRefused, `refused, not ${String(outcome)}`);
    });
  }

  it('the local server does count what reaches it (a trusted origin goes there)', async () => {
    const earlier = { ...seen };
    const downloader = new Downloader({ trustedOrigins: [`http://127.0.0.1:${port}`] });
    try {
      assert.equal((await downloader.download(`http://127.0.0.1:${port}/x.png`, 1024, 5_000))?.toString(), 'secret');
    } finally {
      await downloader.close();
    }
    assert.deepEqual(seen, { connections: earlier.connections + 1, requests: earlier.requests + 1 });
  });
});
