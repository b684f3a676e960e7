import { startTestSimulator, type TestSimulator } from '../../test/support/simulator';
import { lagFigures, percentile } from './measure';
import { log, POLL_MS, rateLimitsOf, Rig, SIM, sleep, until } from './rig';

export interface UpstreamsResult {
  tasks: number;
  /** Tasks each API accepted (a failed-over task counts where it ran). */
  accepted: { alpha: number; beta: number };
  /** list-by-condition requests per poll period, per API, while every task ran (alpha back up). */
  perPeriod: { alpha: number; beta: number };
  lagP50: number;
  lagP99: number;
  finals: number;
  rateLimited: Map<string, number>;
}

const imagines = (sim: TestSimulator) => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/submit/imagine') && r.status === 200).length;
const lists = (sim: TestSimulator, from: number, to: number) =>
  sim.requests.filter((r) => r.path.endsWith('/list-by-condition') && r.at >= from && r.at < to).length;

/**
 * Two APIs, weights 1:1 (MJ_UPSTREAMS): `tasks` /imagine, alpha stopped (connections refused) when half of them are
 * submitted and started again 20 s later, as an API that restarts. New tasks fail over to beta meanwhile; alpha's own
 * tasks wait for it (follow-ups and polls are sticky) and finish once it is back. Measures the split, the lag, the
 * list-by-condition requests per period of each API, and whether every card is delivered.
 */
export async function runUpstreams(tasks: number): Promise<UpstreamsResult> {
  log(`phase two APIs: ${tasks} tasks, weights 1:1, one stopped halfway…`);
  const rig = await Rig.start();
  const beta = await startTestSimulator({ ...SIM, requestLogLimit: 0 });
  try {
    const upstreams = [
      { name: 'alpha', url: rig.sim.url },
      { name: 'beta', url: beta.url },
    ];
    await rig.spawnBot({ MJ_API_URL: '', MJ_UPSTREAMS: JSON.stringify(upstreams) });
    const first = await rig.submitAll(tasks / 2);
    await rig.sim.pause();
    const second = await rig.submitAll(tasks - tasks / 2);
    await sleep(20_000);
    await rig.sim.resume();
    const all = [...first, ...second];
    await until(() => all.every((i) => /\d+%|✅/.test(JSON.stringify(rig.discord.original(i)?.embeds ?? []))), 'every task to run');
    // A window of whole periods while every task runs on both APIs.
    const from = Date.now();
    await sleep(3 * POLL_MS);
    const to = Date.now();
    await until(() => rig.finals(all) === tasks, 'every final card');
    const lag = lagFigures(rig.sim, rig.discord).running.concat(lagFigures(beta, rig.discord).running).filter((ms) => Number.isFinite(ms));
    return {
      tasks,
      accepted: { alpha: imagines(rig.sim), beta: imagines(beta) },
      perPeriod: { alpha: (lists(rig.sim, from, to) * POLL_MS) / (to - from), beta: (lists(beta, from, to) * POLL_MS) / (to - from) },
      lagP50: percentile(lag, 50),
      lagP99: percentile(lag, 99),
      finals: rig.finals(all),
      rateLimited: rateLimitsOf(rig.discord, 0),
    };
  } finally {
    await rig.stop();
    await beta.close();
  }
}
