import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestDiscord, type TestDiscord } from './support/discord';
import { embedText, isFinished } from './support/harness';
import { BotProcess, runScript } from './support/process';
import { freePort } from './support/ports';
import { request } from 'node:http';

/** POSTs `body` and resolves to the status, or to 'closed' when the server cut the connection while it was sent. */
function postBig(url: string, body: Buffer): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve('closed'));
    req.setTimeout(30_000, () => req.destroy());
    req.end(body);
  });
}

const LOADED_PROBE = `import { createRequire } from 'node:module';
const cache = createRequire(process.cwd() + '/').cache;
process.on('exit', () => process.stdout.write('redis client loaded: ' + Object.keys(cache).some((file) => file.includes('@redis/client')) + '\\n'));`;

describe('the bot and its scripts as processes', () => {
  let discord: TestDiscord;
  let dir: string;
  before(async () => {
    discord = await startTestDiscord();
    dir = mkdtempSync(join(tmpdir(), 'mj-bridge-proc-'));
  });
  after(async () => {
    await discord.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const discordEnv = () => ({
    DISCORD_TOKEN: discord.botToken,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
  });

  test('deploy-commands registers the whole command set in one bulk PUT, globally', async () => {
    const result = await runScript('scripts/deploy-commands.ts', discordEnv(), dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Registered \d+ commands globally/);
    const puts = discord.calls.filter((c) => c.method === 'PUT');
    assert.equal(puts.length, 1);
    assert.equal(puts[0]!.route, 'PUT /applications/:app/commands');
    const names = (discord.world.commands.get('global') ?? []).map((c) => c.name);
    assert.ok(names.includes('imagine'), `imagine registered: ${names}`);
  });

  test('deploy-commands registers to DISCORD_GUILD_ID when set', async () => {
    const result = await runScript('scripts/deploy-commands.ts', { ...discordEnv(), DISCORD_GUILD_ID: discord.guildId }, dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`guild ${discord.guildId}`));
    assert.ok((discord.world.commands.get(discord.guildId) ?? []).some((c) => c.name === 'imagine'));
  });

  test('deploy-commands says clearly when Discord refuses the token, and exits 1', async () => {
    const result = await runScript('scripts/deploy-commands.ts', { ...discordEnv(), DISCORD_TOKEN: 'wrong-token' }, dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /DISCORD_TOKEN \(401\)/);
    assert.doesNotMatch(result.stderr, /wrong-token/);
  });

  test('bad configuration stops the bot with one message naming every bad variable, never its value', async () => {
    const result = await runScript('src/index.ts', { DISCORD_APPLICATION_ID: 'not-a-snowflake', POLL_INTERVAL_MS: 'often', MJ_API_KEY: 'sk-very-secret' }, dir);
    assert.equal(result.code, 1);
    for (const name of ['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID', 'POLL_INTERVAL_MS']) assert.match(result.stderr, new RegExp(name));
    assert.match(result.stderr, /\.env\.example/);
    assert.doesNotMatch(result.stderr, /not-a-snowflake|often|sk-very-secret/);
  });

  test('npm start with only the Discord variables connects and serves /imagine from the built-in simulator (without loading Redis)', async () => {
    const bot = new BotProcess(
      'src/index.ts',
      { ...discordEnv(), STORE_URL: `sqlite://${join(dir, 'bot.sqlite')}`, HTTP_PORT: '0', SIMULATOR_RUN_MS: '800' },
      dir,
      // Says at exit whether the Redis client was ever loaded (CommonJS modules land in require.cache).
      ['--import', `data:text/javascript,${encodeURIComponent(LOADED_PROBE)}`],
    );
    try {
      await bot.waitForOutput(/BUILT-IN SIMULATOR/);
      await bot.waitForOutput(/connected to Discord/);
      const interaction = discord.command('imagine', { prompt: 'a red fox in snow' });
      const done = await discord.waitFor(() => {
        const message = discord.original(interaction);
        return message && isFinished(message) ? message : undefined;
      }, 'the final card from the simulator', 20_000);
      assert.match(embedText(done), /a red fox in snow/);
      assert.doesNotMatch(bot.stdout + bot.stderr, new RegExp(discord.botToken.replace(/\./g, '\\.')));
    } finally {
      const exit = await bot.stop('SIGTERM');
      assert.equal(exit.code, 0, `graceful exit on SIGTERM\n${bot.stderr}`);
    }
    assert.match(bot.stdout, /redis client loaded: false/, 'a SQLite bot never loads the Redis client (about 19 MB)');
  });

  test('16 concurrent 12 MB posts to made-up editor tokens (npm start heap flags): the bot stays alive and healthy, /imagine still works', async () => {
    const port = await freePort();
    const bot = new BotProcess(
      'src/index.ts',
      { ...discordEnv(), STORE_URL: `sqlite://${join(dir, 'flood.sqlite')}`, HTTP_PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, SIMULATOR_RUN_MS: '800' },
      dir,
    );
    try {
      await bot.waitForOutput(/connected to Discord/);
      const body = Buffer.alloc(12 * 1024 * 1024, 'A');
      const tokens = Array.from({ length: 16 }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(30)}`);
      const answers = await Promise.all(tokens.map((token) => postBig(`http://127.0.0.1:${port}/editor/${token}`, body)));
      assert.ok(answers.every((a) => a === 404 || a === 'closed'), `refused: ${answers.join(', ')}`);
      assert.equal(bot.child.exitCode, null, 'still running');
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      const interaction = discord.command('imagine', { prompt: 'a fox after the flood' });
      await discord.waitFor(() => {
        const message = discord.original(interaction);
        return message && isFinished(message) ? message : undefined;
      }, 'the final card after the flood', 20_000);
    } finally {
      await bot.stop('SIGTERM');
    }
  });
});
