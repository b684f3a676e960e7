import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, loadDiscordConfig, readEnvironment, scrubberOf, translatorOf, upstreamsOf } from '../src/config';
import { sqliteFileFromUrl } from '../src/store';

const minimal = { DISCORD_TOKEN: 'token-value-secret', DISCORD_APPLICATION_ID: '123456789012345678' };

function problems(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('configuration was accepted');
}

describe('configuration', () => {
  it('needs only the Discord token and application id; everything else has a default', () => {
    const config = loadConfig(minimal);
    assert.equal(config.MJ_API_URL, undefined, 'empty MJ_API_URL means the built-in simulator');
    assert.equal(config.MJ_PROVIDER, 'custom');
    assert.equal(config.STORE_URL, 'sqlite://data/bot.sqlite');
    assert.equal(config.POLL_INTERVAL_MS, 3000);
    assert.equal(config.HTTP_PORT, 8787);
    assert.equal(config.LOG_LEVEL, 'info');
  });

  it('names every bad variable at once, points at .env.example, and never prints a value', () => {
    const message = problems({
      DISCORD_APPLICATION_ID: 'not-an-id-SECRETISH',
      MJ_API_URL: 'ftp://mj.example-SECRETISH',
      MJ_AUTH_HEADER: 'basic-SECRETISH',
      POLL_INTERVAL_MS: 'often-SECRETISH',
      STORE_URL: 'mysql://SECRETISH',
      MJ_MODE_PREFIX: '/fast',
    });
    for (const key of ['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID', 'MJ_API_URL', 'MJ_AUTH_HEADER', 'POLL_INTERVAL_MS', 'STORE_URL', 'MJ_MODE_PREFIX']) {
      assert.match(message, new RegExp(`${key} `), `${key} is named`);
    }
    assert.match(message, /DISCORD_TOKEN is required/);
    assert.match(message, /\.env\.example/);
    assert.doesNotMatch(message, /SECRETISH/);
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ ...minimal, MJ_API_URL: '', PUBLIC_URL: ' ', DISCORD_GUILD_ID: '' });
    assert.equal(config.MJ_API_URL, undefined);
    assert.equal(config.PUBLIC_URL, undefined);
    assert.equal(config.DISCORD_GUILD_ID, undefined);
  });

  it('lets deploy-commands run with only the Discord variables', () => {
    const config = loadDiscordConfig({ ...minimal, DISCORD_GUILD_ID: '223456789012345678', MJ_AUTH_HEADER: 'nonsense' });
    assert.equal(config.DISCORD_GUILD_ID, '223456789012345678');
  });

  it('reads .env, with the process environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjb-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'DISCORD_TOKEN=from-file\nLOG_LEVEL=debug\n# comment\n');
    const merged = readEnvironment({ DISCORD_TOKEN: 'from-process' }, file);
    assert.equal(merged.DISCORD_TOKEN, 'from-process');
    assert.equal(merged.LOG_LEVEL, 'debug');
  });

  it('hardening settings: loopback by default, origins and rotating secrets parsed, bad ones named', () => {
    const config = loadConfig(minimal);
    assert.equal(config.HTTP_HOST, '127.0.0.1');
    assert.deepEqual(config.RESULT_ORIGINS, []);
    assert.equal(config.NOTIFY_SECRET, undefined);
    assert.equal(config.RETENTION_DAYS, 30);
    assert.equal(config.UPLOAD_BUDGET_BYTES, 96 * 1024 * 1024);
    const set = loadConfig({ ...minimal, RESULT_ORIGINS: 'https://cdn.example.com/, http://10.0.0.5:9000', NOTIFY_SECRET: 'new-secret-0123456789,old-secret-0123456789' });
    assert.deepEqual(set.RESULT_ORIGINS, ['https://cdn.example.com', 'http://10.0.0.5:9000']);
    assert.deepEqual(set.NOTIFY_SECRET, ['new-secret-0123456789', 'old-secret-0123456789']);
    const message = problems({ ...minimal, RESULT_ORIGINS: 'ftp://x/SECRETISH', NOTIFY_SECRET: 'short', HTTP_HOST: 'a b' });
    for (const key of ['RESULT_ORIGINS', 'NOTIFY_SECRET', 'HTTP_HOST']) assert.match(message, new RegExp(`${key} `));
    assert.doesNotMatch(message, /SECRETISH|short/);
  });

  it('every variable is listed in .env.example with a comment, and in the README', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const key of Object.keys(loadConfig(minimal))) {
      assert.match(example, new RegExp(`#.*\\n${key}=`), `${key} in .env.example after a comment`);
      assert.match(readme, new RegExp(`\\| \`${key}\` \\|`), `${key} in the README's table`);
    }
  });

  it('the translator: the preset’s own chat API by default, an API’s key only for its own origin', () => {
    const of = (env: Record<string, string>, simulated = false) => {
      const config = loadConfig({ ...minimal, ...env });
      return translatorOf(config, upstreamsOf(config).map((api) => ({ ...api, url: api.url ?? 'http://127.0.0.1:1' })), simulated);
    };
    const api = { MJ_API_URL: 'https://api.yescale.io', MJ_API_KEY: 'sk-yescale-key-0123' };
    assert.deepEqual(of({ ...api, MJ_PROVIDER: 'yescale' }), { url: 'https://api.yescale.io', key: 'sk-yescale-key-0123', model: 'gpt-4o-mini' });
    for (const provider of ['new-api', 'maxapi', 'openai-hk']) assert.equal(of({ ...api, MJ_PROVIDER: provider })?.url, 'https://api.yescale.io', provider);
    for (const provider of ['custom', 'midjourney-proxy', 'trueai']) assert.equal(of({ ...api, MJ_PROVIDER: provider }), undefined, `${provider} sells no chat API: nothing is translated`);
    assert.equal(of({}, true)?.url, 'http://127.0.0.1:1', 'the built-in simulator answers one (the playground translates offline)');
    const several = of({
      MJ_UPSTREAMS: JSON.stringify([
        { name: 'home', url: 'https://mj.example.org', key: 'home-key-0123456789', provider: 'trueai' },
        { name: 'relay', url: 'https://relay.example.com', key: 'relay-key-0123456789', provider: 'new-api' },
        { name: 'other', url: 'https://other.example.com', key: 'other-key-0123456789', provider: 'maxapi' },
      ]),
    });
    assert.deepEqual(several, { url: 'https://relay.example.com', key: 'relay-key-0123456789', model: 'gpt-4o-mini' }, 'the first API whose preset sells one');
    const elsewhere = of({ ...api, MJ_PROVIDER: 'yescale', TRANSLATE_URL: 'https://chat.example.com/v1', TRANSLATE_MODEL: 'qwen-turbo' });
    assert.deepEqual(elsewhere, { url: 'https://chat.example.com/v1', key: undefined, model: 'qwen-turbo' }, 'the API’s key never goes to another host');
    assert.equal(of({ ...api, TRANSLATE_URL: 'https://chat.example.com', TRANSLATE_KEY: 'chat-key-0123456789' })?.key, 'chat-key-0123456789');
    assert.equal(of({ ...api, TRANSLATE_URL: 'https://api.yescale.io/' })?.key, 'sk-yescale-key-0123', 'the same origin, the same key');
    assert.match(problems({ ...minimal, TRANSLATE_URL: 'ftp://SECRETISH', TRANSLATE_MODEL: 'a b' }), /TRANSLATE_URL .*\n.*TRANSLATE_MODEL /s);
    assert.equal(scrubberOf(loadConfig({ ...minimal, TRANSLATE_KEY: 'chat-key-0123456789' })).scrub('echo chat-key-0123456789'), 'echo [redacted]', 'its key is scrubbed like the others');
  });

  it('resolves sqlite paths relative to the working directory, or absolute', () => {
    assert.equal(sqliteFileFromUrl('sqlite://data/bot.sqlite', '/srv/bot'), '/srv/bot/data/bot.sqlite');
    assert.equal(sqliteFileFromUrl('sqlite:///var/lib/bot.sqlite', '/srv/bot'), '/var/lib/bot.sqlite');
  });
});
