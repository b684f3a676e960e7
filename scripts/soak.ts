/**
 * `npm run soak`: three bot processes on one real redis-server (append-only file on), two simulated APIs, the local
 * Discord with its rate limits, members starting tasks and pressing buttons for SOAK_MINUTES (default 10) while a
 * seeded schedule of faults fires (SOAK_SEED replays a run). Then the faults stop, every task settles, and six
 * invariants are checked; the exit code is non-zero when one breaks. Everything runs on 127.0.0.1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store';
import { createLogger } from '../src/logger';
import { startTestDiscord } from '../test/support/discord';
import { freePort } from '../test/support/ports';
import { BotProcess } from '../test/support/process';
import { redisMissing, startRedis } from '../test/support/redis';
import { startTestSimulator } from '../test/support/simulator';
import { faultSchedule, seeded, type PlannedFault } from './soak/faults';
import { cardStory, errorsExplained, neverBackwards, noDuplicates, oneFinalCardEach, quotaExact, rssFlat, type LoggedError, type RssSample, type SoakApi } from './soak/invariants';
import { Members } from './soak/members';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const SEED = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 1e9));
const ACTION_MS = Number(process.env.SOAK_ACTION_MS ?? 1500);
const PROCESSES = 3;
const SETTLE_MS = 240_000;

const log = (text: string) => process.stderr.write(`${text}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const shardOf = (guildId: string) => Number((BigInt(guildId) >> 22n) % BigInt(PROCESSES));

if (redisMissing) {
  log(`soak: ${redisMissing}`);
  process.exit(1);
}
log(`soak: ${MINUTES} min, seed ${SEED} (SOAK_SEED=${SEED} npm run soak replays it)`);
const plan = faultSchedule(SEED, MINUTES);
for (const fault of plan) log(`  at ${fault.at} s: ${fault.kind} (target ${fault.target})`);

const dir = mkdtempSync(join(tmpdir(), 'mj-bridge-soak-'));
const redis = await startRedis({ aof: dir });
const sims = { quick: { queueMs: 1000, runMs: 8000, progressSteps: 4, imageSize: 64, requestLogLimit: 0 } };
const alpha = await startTestSimulator(sims.quick);
const beta = await startTestSimulator(sims.quick);
const discord = await startTestDiscord();
const apis: SoakApi[] = [
  { name: 'alpha', sim: alpha, keyOf: (id) => id },
  { name: 'beta', sim: beta, keyOf: (id) => `beta:${id}` },
];

// A server on every shard: each process serves one, and every process's members act.
const channels: string[] = [];
channels[shardOf(discord.guildId)] = discord.channelId;
for (let shard = 0; shard < PROCESSES; shard += 1) channels[shard] ??= discord.world.addGuild(shard, PROCESSES).channelId;

const ports = await Promise.all(Array.from({ length: PROCESSES }, () => freePort()));
const envOf = (slot: number): Record<string, string> => ({
  DISCORD_TOKEN: discord.botToken,
  DISCORD_APPLICATION_ID: discord.applicationId,
  DISCORD_API_URL: discord.apiUrl,
  MJ_UPSTREAMS: JSON.stringify([
    { name: 'alpha', url: alpha.url },
    { name: 'beta', url: beta.url },
  ]),
  STORE_URL: redis.url,
  SHARD_COUNT: String(PROCESSES),
  SHARD_IDS: String(slot),
  HTTP_PORT: String(ports[slot]),
  // Callbacks go to the first process; the fleet passes them on to each task's owner.
  PUBLIC_URL: `http://127.0.0.1:${ports[0]}`,
  NOTIFY_SECRET: 'soak-notify-secret-0123456789',
  LEASE_MS: '5000',
  POLL_INTERVAL_MS: '1000',
  DEFAULT_DAILY_TASKS: '1000',
  DEFAULT_CONCURRENT_TASKS: '4',
  LOG_LEVEL: 'info',
});
/** Every process instance that ran, the killed ones too (their logs count). */
const instances: BotProcess[] = [];
const slotOf = new Map<BotProcess, number>();
const slots: BotProcess[] = [];
const spawnedAt = new Map<BotProcess, number>();
const spawn = async (slot: number): Promise<void> => {
  const bot = new BotProcess('src/index.ts', envOf(slot), dir);
  instances.push(bot);
  slotOf.set(bot, slot);
  spawnedAt.set(bot, Date.now());
  slots[slot] = bot;
  await bot.waitForOutput(/connected to Discord/, 60_000);
};
for (let slot = 0; slot < PROCESSES; slot += 1) await spawn(slot);

const random = seeded(SEED);
const members = new Members(discord, random, channels);
const windows: Array<{ from: number; to: number; kind: string }> = [];
const rss: RssSample[][] = Array.from({ length: PROCESSES }, () => []);
const startedAt = Date.now();
const endsAt = startedAt + MINUTES * 60_000;
const faultsDone: PlannedFault[] = [];

/** Fires one fault; resolves when what it does is over (a restart done, an API back). */
async function fire(fault: PlannedFault): Promise<void> {
  const from = Date.now();
  const sim = fault.target % 2 === 0 ? alpha : beta;
  switch (fault.kind) {
    case 'kill -9 and restart': {
      await slots[fault.target]!.stop('SIGKILL');
      await sleep(2_000);
      await spawn(fault.target);
      break;
    }
    case 'rolling SIGTERM restart':
      for (let slot = 0; slot < PROCESSES; slot += 1) {
        await slots[slot]!.stop('SIGTERM');
        await spawn(slot);
      }
      break;
    case 'redis killed and restarted from its AOF':
      await redis.kill();
      await sleep(5_000);
      await redis.start();
      break;
    case 'an API down for 30 s':
      await sim.pause();
      await sleep(30_000);
      await sim.resume();
      break;
    case 'API 5xx burst':
      for (let i = 0; i < 10; i += 1) sim.injectNext({}, { status: 502, rawBody: 'Bad Gateway' });
      await sleep(10_000);
      sim.clearFaults();
      break;
    case 'API timeout burst':
      // Polls only: a submit the API accepted always gets its answer to the bot (so every accepted task has a card).
      for (let i = 0; i < 5; i += 1) sim.injectNext({ pathIncludes: '/task/' }, { delayMs: 25_000 });
      await sleep(30_000);
      sim.clearFaults();
      break;
    case 'Discord 429 burst':
      discord.failNext({ route: 'PATCH /webhooks', status: 429, retryAfterMs: 1_000, times: 8 });
      await sleep(10_000);
      break;
    case 'Discord 5xx burst':
      discord.failNext({ route: 'PATCH /webhooks', status: 502, times: 8 });
      await sleep(10_000);
      break;
    case 'stale and duplicated callbacks': {
      sim.configure({ notifyDuplicate: true, notifyShuffle: true });
      // Old news about finished tasks: a callback that says a done task is still running.
      const finished = [...sim.tasks.keys()].filter((id) => (sim.getTask(id) as { status?: string }).status === 'SUCCESS').slice(-5);
      for (const id of finished) await sim.sendCallback(id, { status: 'IN_PROGRESS', progress: '10%' }).catch(() => undefined);
      await sleep(20_000);
      sim.configure({ notifyDuplicate: false, notifyShuffle: false });
      break;
    }
  }
  windows.push({ from, to: Date.now(), kind: fault.kind });
  faultsDone.push(fault);
}

const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const sampler = setInterval(() => {
  slots.forEach((bot, slot) => {
    const pid = bot.child.pid;
    if (pid && bot.child.exitCode === null && bot.child.signalCode === null) {
      try {
        rss[slot]!.push({ at: Date.now(), pid, age: Date.now() - spawnedAt.get(bot)!, rss: rssOf(pid) });
      } catch {
        // the process just ended
      }
    }
  });
}, 5_000);

// The faults, each at its time, one after the other; the members meanwhile, every ACTION_MS.
const faults = (async () => {
  for (const fault of plan) {
    const wait = startedAt + fault.at * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    log(`  fault at ${Math.round((Date.now() - startedAt) / 1000)} s: ${fault.kind}`);
    await fire(fault);
  }
})();
let unheard = 0;
while (Date.now() < endsAt) {
  try {
    members.act();
  } catch {
    // The server's process is down (a kill, a restart): Discord would say "This interaction failed".
    unheard += 1;
  }
  await sleep(ACTION_MS);
}
await faults;
clearInterval(sampler);
log(`soak: ${JSON.stringify(members.actions)} actions (${unheard} while their server's process was down); settling…`);

// Everything back: every API answering, every process running; then every accepted task settles.
await alpha.resume();
await beta.resume();
alpha.clearFaults();
beta.clearFaults();
const settleBy = Date.now() + SETTLE_MS;
while (Date.now() < settleBy && !oneFinalCardEach(apis, discord).ok) await sleep(2_000);

const lines: string[] = [];
const cards = oneFinalCardEach(apis, discord);
const store = await openStore(redis.url, createLogger({ level: 'silent', pretty: false }));
const errors: LoggedError[] = instances.flatMap((bot) =>
  bot.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; time: number; msg: string })
    .filter((entry) => entry.level >= 50)
    .map((entry) => ({ at: entry.time, msg: entry.msg })),
);
const backwards = neverBackwards(discord);
const verdicts = [cards, noDuplicates(apis), backwards, await quotaExact(store), rssFlat(rss), errorsExplained(errors, windows)];
await store.close();
for (const verdict of verdicts) lines.push(verdict.line);
// A card that went back or has no final state: its story, to find which process sent what, when.
for (const key of [...backwards.keys.slice(0, 2), ...cards.keys.slice(0, 2)]) {
  const logs = instances.map((bot) => ({ slot: slotOf.get(bot)!, pid: bot.child.pid ?? 0, stdout: bot.stdout }));
  log(`the card of ${key}:\n  ${cardStory(key, discord, logs, startedAt).join('\n  ')}`);
  log(`faults: ${windows.map((w) => `${w.kind} ${((w.from - startedAt) / 1000).toFixed(0)}–${((w.to - startedAt) / 1000).toFixed(0)} s`).join('; ')}`);
}
const broken = verdicts.filter((v) => !v.ok);
const said = (name: string, good: string, bad: string) => (verdicts.find((v) => v.name === name)?.ok ? good : bad);
lines.push(
  broken.length === 0
    ? `soak: ${cards.tasks} tasks, ${faultsDone.length} faults, 0 lost, 0 duplicated, 0 backwards, quota exact, RSS flat`
    : `soak: ${cards.tasks} tasks, ${faultsDone.length} faults, BROKEN: ${[said('lost', '', 'tasks lost'), said('duplicated', '', 'duplicates'), said('backwards', '', 'backwards edits'), said('quota', '', 'quota off'), said('rss', '', 'RSS grew'), said('errors', '', 'unexplained errors')].filter(Boolean).join(', ')} (seed ${SEED})`,
);
process.stdout.write(`${lines.join('\n')}\n`);

for (const bot of slots) await bot.stop('SIGTERM');
await discord.close();
await alpha.close();
await beta.close();
await redis.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(broken.length === 0 ? 0 : 1);
