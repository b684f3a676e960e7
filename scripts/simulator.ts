/**
 * Runs the built-in midjourney-proxy simulator alone: `npm run simulator`.
 * Environment: SIMULATOR_PORT (default 8790), SIMULATOR_FAMILY (open-source | trueai | reseller, default trueai),
 * SIMULATOR_API_KEY, SIMULATOR_RUN_MS, SIMULATOR_QUEUE_MS, SIMULATOR_IMAGE_SIZE, SIMULATOR_REMIX (1/true),
 * SIMULATOR_VERBOSE (1/true: log every request).
 */
import { startSimulator, type SimulatorFamily } from '../src/simulator';

const FAMILIES: readonly SimulatorFamily[] = ['open-source', 'trueai', 'reseller'];

function numberFromEnv(name: string, fallback?: number): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`${name} must be a non-negative number (got "${raw}")`);
    process.exit(2);
  }
  return value;
}

const family = (process.env.SIMULATOR_FAMILY?.trim() || 'trueai') as SimulatorFamily;
if (!FAMILIES.includes(family)) {
  console.error(`SIMULATOR_FAMILY must be one of ${FAMILIES.join(', ')} (got "${family}")`);
  process.exit(2);
}
const verbose = /^(1|true|yes)$/i.test(process.env.SIMULATOR_VERBOSE ?? '');

const simulator = await startSimulator({
  port: numberFromEnv('SIMULATOR_PORT', 8790),
  family,
  apiKey: process.env.SIMULATOR_API_KEY || undefined,
  runMs: numberFromEnv('SIMULATOR_RUN_MS'),
  queueMs: numberFromEnv('SIMULATOR_QUEUE_MS'),
  imageSize: numberFromEnv('SIMULATOR_IMAGE_SIZE'),
  remix: /^(1|true|yes)$/i.test(process.env.SIMULATOR_REMIX ?? ''),
  log: verbose ? (msg, data) => console.log(msg, data ? JSON.stringify(data) : '') : undefined,
}).catch((error: unknown) => {
  console.error(`could not start the simulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

console.log(`midjourney-proxy simulator (${family}) listening on ${simulator.url}`);
console.log(`  try: curl -s -X POST ${simulator.url}/mj/submit/imagine -H 'content-type: application/json' -d '{"prompt":"a red fox"}'`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the simulator`);
  simulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
