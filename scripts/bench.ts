/**
 * `npm run bench`: the real bot (its own process, as `npm start` runs it) against the simulator and the
 * local Discord on 127.0.0.1, with BENCH_TASKS (default 1000) concurrent /imagine tasks per phase, each measured
 * after BENCH_WARMUP (default 200) quick tasks, as a bot that has been running (see Rig.warmUp):
 *   cold      polling through list-by-condition, on a bot just started (no warm-up: its start-up included)
 *   batched   polling through list-by-condition
 *   per-task  polling on an API without list-by-condition (same load)
 *   notify    notifyHook callbacks (PUBLIC_URL set), polling as a safety net
 *   restart   kill -9 with every task in flight, then a fresh process on the same store
 *   per period list-by-condition requests per poll period at N = 1, 10, 100 and BENCH_TASKS tasks
 *   fleet     two processes on one Redis (shards 0 and 1), kill -9 of one: takeover time, every card delivered
 *   floor     the per-task phase's polls and the notify phase's callbacks sent and parsed by processes that do
 *             nothing else (bench/floor.ts): the least any bot spends on them
 * and prints one table of figures. Not a test: it measures, and says which goals it met.
 */
import type { TestSimulator } from '../test/support/simulator';
import { freePort } from '../test/support/ports';
import { runFleet } from './bench/fleet';
import { transportFloor } from './bench/floor';
import { lagFigures, percentile, ProcessSampler, type LagFigures } from './bench/measure';
import { requestsPerPeriod } from './bench/per-period';
import { runUpstreams } from './bench/upstreams';
import { log, POLL_MS, rateLimitsOf, Rig, SIM, until } from './bench/rig';

const TASKS = Number(process.env.BENCH_TASKS ?? 1000);
/** Quick tasks a bot runs before a phase is measured (see Rig.warmUp); the cold phase runs none. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200);

interface PhaseResult {
  name: string;
  apiPollRequests: number;
  pollTicks: number;
  lag: LagFigures;
  discordRequests: number;
  /** Discord's 429 answers in the phase, by route (what drew them, when there is any). */
  rateLimited: Map<string, number>;
  peakRssMb: number;
  meanCpuPercent: number;
  finals: number;
  wallSeconds: number;
  /** notifyHook callbacks the simulator sent during the phase. */
  callbacks: number;
}

const total = (routes: Map<string, number>) => [...routes.values()].reduce((n, c) => n + c, 0);

/** Counts poll ticks as the bursts of poll requests the bot sends (requests less than 200 ms apart belong to one tick). */
function pollTicks(sim: TestSimulator, since: number): number {
  const times = sim.requests.filter((r) => r.at >= since && r.path.includes('/mj/task/')).map((r) => r.at).sort((a, b) => a - b);
  let ticks = 0;
  let last = -Infinity;
  for (const at of times) {
    if (at - last > 200) ticks += 1;
    last = at;
  }
  return ticks;
}

async function runPhase(name: string, options: { listByCondition?: boolean; notify?: boolean; cold?: boolean } = {}): Promise<PhaseResult> {
  log(`phase ${name}: ${TASKS} tasks${options.cold ? ' on a bot just started' : `, after ${WARMUP} warm-up tasks`}…`);
  const rig = await Rig.start(options.listByCondition ?? true);
  try {
    const extra: Record<string, string> = {};
    if (options.notify) {
      const port = await freePort();
      Object.assign(extra, { HTTP_PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    }
    const bot = await rig.spawnBot(extra);
    if (!options.cold) await rig.warmUp(WARMUP);
    const sinceCall = rig.discord.calls.length;
    const callbacksBefore = rig.sim.callbacksSent();
    const sampler = new ProcessSampler(bot.child.pid!);
    sampler.start();
    const started = Date.now();
    const interactions = await rig.submitAll(TASKS);
    await until(() => rig.finals(interactions) === TASKS, 'every final card');
    const wallSeconds = (Date.now() - started) / 1000;
    const { peakRssMb, meanCpuPercent } = sampler.stop();
    const discordRequests = rig.discord.calls.slice(sinceCall).filter((c) => !c.route.includes('/gateway')).length;
    return {
      name,
      apiPollRequests: rig.pollRequests(started),
      pollTicks: pollTicks(rig.sim, started),
      lag: lagFigures(rig.sim, rig.discord, sinceCall),
      discordRequests,
      rateLimited: rateLimitsOf(rig.discord, sinceCall),
      peakRssMb,
      meanCpuPercent,
      finals: rig.finals(interactions),
      wallSeconds,
      callbacks: rig.sim.callbacksSent() - callbacksBefore,
    };
  } finally {
    await rig.stop();
  }
}

async function runRestart() {
  log(`phase restart: ${TASKS} tasks, kill -9 while all are in flight…`);
  const rig = await Rig.start();
  try {
    const first = await rig.spawnBot();
    const interactions = await rig.submitAll(TASKS);
    await until(
      () => interactions.every((i) => /\d+%/.test(JSON.stringify(rig.discord.original(i)?.embeds ?? []))),
      'every task to show progress',
    );
    await first.stop('SIGKILL');
    const inFlight = interactions.length - rig.finals(interactions);
    const spawnedAt = Date.now();
    const second = rig.spawnBot();
    const bot = await second;
    await bot.waitForOutput(/resuming tasks that were in flight/, 30_000);
    const resumedLine = bot.stdout.split('\n').find((l) => l.includes('resuming tasks'));
    const resumed = Number(/"tasks":(\d+)/.exec(resumedLine ?? '')?.[1] ?? 0);
    const resumedAt = Number(/"time":(\d+)/.exec(resumedLine ?? '')?.[1] ?? Date.now());
    const connectedLine = bot.stdout.split('\n').find((l) => l.includes('connected to Discord'));
    const connectedAt = Number(/"time":(\d+)/.exec(connectedLine ?? '')?.[1] ?? Date.now());
    await until(() => rig.finals(interactions) === TASKS, 'every final card after the restart');
    return {
      inFlight,
      resumed,
      trackedAgainSeconds: (resumedAt - spawnedAt) / 1000,
      connectedSeconds: (connectedAt - spawnedAt) / 1000,
      finals: rig.finals(interactions),
      rateLimited: rateLimitsOf(rig.discord, 0),
    };
  } finally {
    await rig.stop();
  }
}

/** CPU seconds as a percentage of one core over a phase's wall time. */
const floorPercent = (cpuSeconds: number, phase: PhaseResult) => (100 * cpuSeconds) / phase.wallSeconds;
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ok = (pass: boolean) => (pass ? 'met' : 'MISSED');

if (process.env.BENCH_ONLY === 'floor') {
  process.stdout.write(`${JSON.stringify(await transportFloor(TASKS, 17, 7000))}\n`);
  process.exit(0);
}
if (process.env.BENCH_ONLY) {
  // One phase alone, for profiling: BENCH_ONLY=batched|per-task|notify|cold (or floor, or upstreams)
  const name = process.env.BENCH_ONLY;
  if (name === 'upstreams') {
    const result = await runUpstreams(TASKS);
    process.stdout.write(`${JSON.stringify({ ...result, rateLimited: Object.fromEntries(result.rateLimited) })}\n`);
    process.exit(0);
  }
  const only = await runPhase(name, { notify: name === 'notify', cold: name === 'cold', listByCondition: name !== 'per-task' });
  process.stdout.write(`${JSON.stringify({ ...only, rateLimited: Object.fromEntries(only.rateLimited), lag: { p50: percentile(only.lag.running, 50), p99: percentile(only.lag.running, 99) } })}\n`);
  process.exit(0);
}
const cold = await runPhase('batched, cold', { cold: true });
const batched = await runPhase('batched');
const perTask = await runPhase('per-task', { listByCondition: false });
const notify = await runPhase('notify', { notify: true });
const restart = await runRestart();
const perPeriod = [];
for (const n of [1, 10, 100, TASKS]) perPeriod.push(await requestsPerPeriod(n));
const fleet = await runFleet(TASKS);
const twoApis = await runUpstreams(TASKS);
const floor = await transportFloor(TASKS, Math.round(perTask.apiPollRequests / TASKS), notify.callbacks);

const perTickBatched = batched.apiPollRequests / Math.max(1, batched.pollTicks);
const perTickSingle = perTask.apiPollRequests / Math.max(1, perTask.pollTicks);
const ratio = perTask.apiPollRequests / Math.max(1, batched.apiPollRequests);
const p99Poll = percentile(batched.lag.running, 99);
const p99Notify = percentile(notify.lag.running, 99);
const worst = [batched, perTask, notify];
const measured = [cold, ...worst];

const rows: Array<[string, string, string]> = [
  ['tasks per phase', `${TASKS} (queue ${SIM.queueMs / 1000} s, run ${SIM.runMs / 1000} s, ${SIM.progressSteps} progress steps, poll ${POLL_MS / 1000} s)`, ''],
  ['API poll requests, batched: per tick / total', `${fmt(perTickBatched, 1)} / ${batched.apiPollRequests} (${batched.pollTicks} ticks)`, ''],
  ['API poll requests, per-task: per tick / total', `${fmt(perTickSingle, 1)} / ${perTask.apiPollRequests} (${perTask.pollTicks} ticks)`, ''],
  ['ratio per-task / batched (total)', `${fmt(ratio, 1)}×`, `≥ 50×: ${ok(ratio >= 50)}`],
  ['lag while running, polling: p50 / p99', `${fmt(percentile(batched.lag.running, 50))} / ${fmt(p99Poll)} ms`, `p99 ≤ ${POLL_MS + 1000} ms: ${ok(p99Poll <= POLL_MS + 1000)}`],
  ['lag while running, polling, bot just started: p50 / p99', `${fmt(percentile(cold.lag.running, 50))} / ${fmt(percentile(cold.lag.running, 99))} ms`, `p99 ≤ ${POLL_MS + 1000} ms: ${ok(percentile(cold.lag.running, 99) <= POLL_MS + 1000)}`],
  ['lag queued→started, polling: p50 / p99', `${fmt(percentile(batched.lag.start, 50))} / ${fmt(percentile(batched.lag.start, 99))} ms`, 'queued tasks are polled every period too'],
  ['lag while running, notifyHook: p50 / p99', `${fmt(percentile(notify.lag.running, 50))} / ${fmt(p99Notify)} ms`, `p99 ≤ 1000 ms: ${ok(p99Notify <= 1000)}`],
  ['lag queued→started, notifyHook: p50 / p99', `${fmt(percentile(notify.lag.start, 50))} / ${fmt(percentile(notify.lag.start, 99))} ms`, ''],
  ...worst.map((r): [string, string, string] => [`Discord requests per task (${r.name})`, fmt(r.discordRequests / TASKS, 2), '']),
  [
    'Discord 429s (all phases)',
    [
      ...measured,
      { name: 'kill -9', rateLimited: restart.rateLimited },
      ...perPeriod.map((r) => ({ name: `per period N = ${r.tasks}`, rateLimited: r.rateLimited })),
      ...(fleet ? [{ name: 'fleet', rateLimited: fleet.rateLimited }] : []),
      { name: 'two APIs', rateLimited: twoApis.rateLimited },
    ]
      .flatMap((r) => [...r.rateLimited].map(([route, n]) => `${r.name}: ${route} ×${n}`))
      .join('; ') || '0',
    `0: ${ok([...measured, restart, ...perPeriod, ...(fleet ? [fleet] : []), twoApis].every((r) => total(r.rateLimited) === 0))}`,
  ],
  ...measured.map((r): [string, string, string] => [
    `bot peak RSS / mean CPU (${r.name})`,
    `${fmt(r.peakRssMb)} MB / ${fmt(r.meanCpuPercent)} % of one core over ${fmt(r.wallSeconds)} s`,
    `≤ 200 MB, ≤ 25 %: ${ok(r.peakRssMb <= 200)}, ${ok(r.meanCpuPercent <= 25)}`,
  ]),
  [
    `transport floor: ${floor.polls} polls alone (per-task phase's requests)`,
    `${fmt(floor.pollCpuSeconds, 1)} s CPU = ${fmt(floorPercent(floor.pollCpuSeconds, perTask))} % of one core over ${fmt(perTask.wallSeconds)} s`,
    `batched + this: ${fmt(batched.meanCpuPercent + floorPercent(floor.pollCpuSeconds, perTask))} %, per-task if the bot's own work per poll cost nothing`,
  ],
  [
    `transport floor: ${floor.callbacks} callbacks alone (notify phase's)`,
    `${fmt(floor.callbackCpuSeconds, 1)} s CPU = ${fmt(floorPercent(floor.callbackCpuSeconds, notify))} % of one core over ${fmt(notify.wallSeconds)} s`,
    `batched + this: ${fmt(batched.meanCpuPercent + floorPercent(floor.callbackCpuSeconds, notify))} %, notify if the bot's own work per callback cost nothing`,
  ],
  ...measured.map((r): [string, string, string] => [`final cards delivered (${r.name})`, `${r.finals} / ${TASKS}`, '']),
  ['kill -9: tasks in flight / resumed', `${restart.inFlight} / ${restart.resumed}`, `all: ${ok(restart.resumed === restart.inFlight)}`],
  ['kill -9: time until all tracked again', `${fmt(restart.trackedAgainSeconds, 2)} s (gateway ready after ${fmt(restart.connectedSeconds, 2)} s)`, `≤ 5 s: ${ok(restart.trackedAgainSeconds <= 5)}`],
  ['kill -9: final states delivered', `${restart.finals} / ${TASKS}`, `all: ${ok(restart.finals === TASKS)}`],
  ...perPeriod.map((r): [string, string, string] => [
    `list-by-condition per ${POLL_MS / 1000} s period at N = ${r.tasks} (p99 lag)`,
    `${fmt(r.perPeriod, 1)} (${fmt(r.p99LagMs)} ms)`,
    `≤ ${r.expected}, p99 ≤ ${POLL_MS + 1000} ms: ${ok(r.perPeriod <= r.expected)}, ${ok(r.p99LagMs <= POLL_MS + 1000)}`,
  ]),
  ...(fleet
    ? ([
        ['fleet (2 processes, Redis): tasks in flight on the killed one', `${fleet.orphaned} of ${fleet.tasks}`, ''],
        ['fleet: kill -9 → survivor takes over', `${fmt(fleet.takeoverSeconds, 2)} s (LEASE_MS ${fleet.leaseMs / 1000} s)`, `≤ LEASE_MS + 1 s: ${ok(fleet.takeoverSeconds * 1000 <= fleet.leaseMs + 1000)}`],
        ['fleet: final cards delivered', `${fleet.finals} / ${fleet.tasks}`, `all: ${ok(fleet.finals === fleet.tasks)}`],
      ] as Array<[string, string, string]>)
    : [['fleet phase', 'skipped: redis-server is not installed', ''] as [string, string, string]]),
  ['two APIs (1:1, alpha stopped 20 s halfway): tasks accepted by alpha / beta', `${twoApis.accepted.alpha} / ${twoApis.accepted.beta}`, 'new tasks fail over to beta while alpha is down'],
  ['two APIs: list-by-condition per period, alpha / beta', `${fmt(twoApis.perPeriod.alpha, 1)} / ${fmt(twoApis.perPeriod.beta, 1)}`, `≤ ⌈tasks of each / 100⌉: ${ok(twoApis.perPeriod.alpha <= Math.ceil(twoApis.accepted.alpha / 100) && twoApis.perPeriod.beta <= Math.ceil(twoApis.accepted.beta / 100))}`],
  ['two APIs: lag p50 / p99 (alpha’s tasks wait out its 20 s)', `${fmt(twoApis.lagP50)} / ${fmt(twoApis.lagP99)} ms`, ''],
  ['two APIs: final cards delivered', `${twoApis.finals} / ${twoApis.tasks}`, `all: ${ok(twoApis.finals === twoApis.tasks)}`],
];
const width = Math.max(...rows.map((r) => r[0].length));
const valueWidth = Math.max(...rows.map((r) => r[1].length));
process.stdout.write(`\nmj-bridge benchmark (node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n\n`);
for (const [label, value, goal] of rows) process.stdout.write(`| ${label.padEnd(width)} | ${value.padEnd(valueWidth)} | ${goal} |\n`);
