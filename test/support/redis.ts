import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './ports';

/** A redis-server of its own for a test file: 127.0.0.1, a free port, nothing saved to disk unless `aof`. */
export interface TestRedis {
  url: string;
  stop(): Promise<void>;
  /** Kills it (SIGKILL, as a crash) and starts it again on the same port, from its append-only file when `aof`. */
  restart(): Promise<void>;
  /** Kills it (SIGKILL) and leaves it down until `start`. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

/** Why Redis tests cannot run here, or undefined when they can (`.ci/run` installs the Debian package). */
export const redisMissing: string | undefined = spawnSync('redis-server', ['--version']).error
  ? 'redis-server is not installed (apt-get install -y redis-server): the Redis tests are skipped'
  : undefined;

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

/** `aof`: a directory for its append-only file (fsync every write), so a restart loses nothing written. */
export async function startRedis(options: { aof?: string } = {}): Promise<TestRedis> {
  const port = await freePort();
  const persistence = options.aof ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.aof] : ['--appendonly', 'no'];
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence], { stdio: 'ignore' });
    for (let attempt = 0; !(await answers(port)); attempt += 1) {
      if (attempt > 400 || child.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const halt = async (signal: NodeJS.Signals) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    start: launch,
    restart: async () => {
      await halt('SIGKILL');
      await launch();
    },
  };
}
