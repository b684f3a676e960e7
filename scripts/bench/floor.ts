import { Agent, request } from 'undici';
import { BotProcess } from '../../test/support/process';
import { startTestSimulator } from '../../test/support/simulator';
import { log, SIM, sleep } from './rig';

export interface TransportFloor {
  polls: number;
  pollCpuSeconds: number;
  callbacks: number;
  callbackCpuSeconds: number;
}

const child = (args: string[]) => new BotProcess('scripts/bench/floor-child.ts', {}, process.cwd(), [], args);

/**
 * The transport floor: the CPU that the per-task phase's polls (`tasks` fetched every 3 s for `periods` periods) and
 * the notify phase's `callbacks` cost processes that only send and parse them (floor-child.ts), the same Node flags
 * as the bot. No bot can spend less on them; a phase's CPU is its batched figure plus at least this.
 */
export async function transportFloor(tasks: number, periods: number, callbacks: number): Promise<TransportFloor> {
  log(`transport floor: ${tasks * periods} polls and ${callbacks} callbacks by processes that do nothing else…`);
  const sim = await startTestSimulator({ ...SIM, listByCondition: false, requestLogLimit: 0 });
  const agent = new Agent({ connections: 8 });
  try {
    const ids: string[] = [];
    for (let i = 0; i < tasks; i += 1) {
      const answer = await request(`${sim.url}/mj/submit/imagine`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: `floor ${i} --ar 3:2` }) });
      ids.push(((await answer.body.json()) as { result: string }).result);
    }
    const callbackBody = await (await request(`${sim.url}/mj/task/${ids[0]}/fetch`, { dispatcher: agent })).body.text();
    const server = child(['serve']);
    await server.waitForOutput(/listening \d+/);
    const port = /listening (\d+)/.exec(server.stdout)![1];
    const poller = child(['poll', sim.url, String(periods), ...ids]);
    // The callbacks, spread evenly over the polls' periods, 8 at a time as a provider's notifier sends them.
    const perTenth = Math.ceil(callbacks / (periods * 30));
    let sent = 0;
    while (sent < callbacks) {
      const batch = Math.min(perTenth, callbacks - sent);
      const began = Date.now();
      await Promise.all(
        Array.from({ length: batch }, async () => {
          const answer = await request(`http://127.0.0.1:${port}/callback`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: callbackBody });
          await answer.body.dump();
        }),
      );
      sent += batch;
      await sleep(Math.max(0, 100 - (Date.now() - began)));
    }
    const served = (await (await request(`http://127.0.0.1:${port}/done`, { method: 'POST', dispatcher: agent, body: '{}' })).body.json()) as { requests: number; cpuSeconds: number };
    await poller.waitForOutput(/"cpuSeconds"/, 120_000);
    const polled = JSON.parse(poller.stdout.trim().split('\n').at(-1)!) as { requests: number; cpuSeconds: number };
    await Promise.all([server.stop(), poller.stop()]);
    return { polls: polled.requests, pollCpuSeconds: polled.cpuSeconds, callbacks: served.requests, callbackCpuSeconds: served.cpuSeconds };
  } finally {
    await agent.close();
    await sim.close();
  }
}
