import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = import.meta.resolve('tsx');
/** Node's own flags from `npm start` (memory tuning), so tests and the benchmark run the bot as users do. */
const START_FLAGS = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .filter((arg) => arg.startsWith('--') && arg !== '--import');

/** The environment of a bot process against the local Discord and a simulator, its store in `dir`. */
export function botEnv(
  discord: { botToken: string; applicationId: string; apiUrl: string },
  sim: { url: string },
  dir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DISCORD_TOKEN: discord.botToken,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    MJ_API_URL: sim.url,
    STORE_URL: `sqlite://${dir}/bot.sqlite`,
    HTTP_PORT: '0',
    ...extra,
  };
}

/** A script of this project run as its own process (as `npm start` would), with exactly the env given. */
export class BotProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `nodeFlags`: more flags for node, e.g. `--cpu-prof` to profile the bot in the benchmark; `args`: the script's. */
  constructor(script: string, env: Record<string, string>, cwd: string, nodeFlags: string[] = [], args: string[] = []) {
    this.child = spawn(process.execPath, [...START_FLAGS, ...nodeFlags, '--import', TSX, `${ROOT}${script}`, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Waits until the output matches, or fails with what was printed so far. */
  async waitForOutput(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stdout + this.stderr)) {
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`expected output ${pattern}; got:\n${this.stdout}\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Runs a script to its end. */
export async function runScript(script: string, env: Record<string, string>, cwd: string, timeoutMs = 30_000) {
  const run = new BotProcess(script, env, cwd);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const { code } = await run.exited;
  clearTimeout(timer);
  return { code, stdout: run.stdout, stderr: run.stderr };
}
