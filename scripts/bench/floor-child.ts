/**
 * A process that only moves the bytes of a phase, for the benchmark's transport floor (floor.ts). It prints one JSON
 * line with the CPU seconds it used while doing so, start-up excluded.
 *   poll <simulator url> <periods> <id>…  every 3 s, fetches each task once (8 at a time) with undici's dispatcher
 *                                        and parses the answer, as the bot polls an API without list-by-condition
 *   serve                                 answers POSTs with 204 after reading and parsing their JSON body, as the
 *                                        bot takes notifyHook callbacks, until a POST to /done
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { exchange } from '../../src/net/exchange';

const [mode, ...args] = process.argv.slice(2);
const cpuSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};

if (mode === 'poll') {
  const [url, periods, ...ids] = args as [string, string, ...string[]];
  const agent = new Agent({ connections: 32, keepAliveTimeout: 10_000 });
  const start = process.cpuUsage();
  let requests = 0;
  for (let period = 0; period < Number(periods); period += 1) {
    const began = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const answer = await exchange(agent, { origin: url, path: `/mj/task/${id}/fetch`, method: 'GET', headers: { accept: 'application/json' }, timeoutMs: 20_000, maxBytes: 1 << 20 });
          JSON.parse(answer.bytes!.toString('utf8'));
          requests += 1;
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 3000 - (Date.now() - began))));
  }
  process.stdout.write(`${JSON.stringify({ requests, cpuSeconds: cpuSince(start) })}\n`);
  await agent.close();
} else if (mode === 'serve') {
  let start: NodeJS.CpuUsage | undefined;
  let requests = 0;
  const server = createServer((req, res) => {
    start ??= process.cpuUsage();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/done') {
        res.end(JSON.stringify({ requests, cpuSeconds: start ? cpuSince(start) : 0 }));
        server.close();
        return;
      }
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      requests += 1;
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 10_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
}
