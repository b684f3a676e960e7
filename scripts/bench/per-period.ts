import { lagFigures, percentile } from './measure';
import { log, POLL_MS, rateLimitsOf, Rig, sleep, until } from './rig';

export interface PerPeriod {
  tasks: number;
  /** list-by-condition requests per poll period, in steady state (every task running). */
  perPeriod: number;
  expected: number;
  p99LagMs: number;
  /** Discord's 429 answers, by route. */
  rateLimited: Map<string, number>;
}

/** Periods measured once every task runs. */
const PERIODS = 5;

/**
 * With N tasks in flight, how many list-by-condition requests one process sends per poll period (goal ⌈N/100⌉), and
 * the lag meanwhile. Tasks render long enough that all of them run through the window measured.
 */
export async function requestsPerPeriod(tasks: number): Promise<PerPeriod> {
  log(`requests per period: ${tasks} task(s)…`);
  const rig = await Rig.start(true, { queueMs: 1_000, runMs: 40_000, progressSteps: 8 });
  try {
    await rig.spawnBot();
    const interactions = await rig.submitAll(tasks);
    await until(() => interactions.every((i) => /\d+%/.test(JSON.stringify(rig.discord.original(i)?.embeds ?? []))), 'every task to run', 60_000);
    // PERIODS whole periods from the middle of one: the polls at each period's start all fall inside, once.
    await sleep(POLL_MS - (Date.now() % POLL_MS) + POLL_MS / 2);
    const from = Date.now();
    await sleep(PERIODS * POLL_MS);
    const lists = rig.sim.requests.filter((r) => r.path.endsWith('/list-by-condition') && r.at >= from && r.at < from + PERIODS * POLL_MS).length;
    const lag = lagFigures(rig.sim, rig.discord).running.filter((ms) => Number.isFinite(ms));
    return { tasks, perPeriod: lists / PERIODS, expected: Math.ceil(tasks / 100), p99LagMs: percentile(lag, 99), rateLimited: rateLimitsOf(rig.discord, 0) };
  } finally {
    await rig.stop();
  }
}
