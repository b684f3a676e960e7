import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, upstreamsOf } from '../src/config';
import { MjApiError } from '../src/mj/errors';
import { surelyNotCreated, UpstreamHealth, verdictOf, WeightedTurns } from '../src/mj/health';

const minimal = { DISCORD_TOKEN: 'token-value-secret', DISCORD_APPLICATION_ID: '123456789012345678' };

function problems(env: Record<string, string>): string {
  try {
    loadConfig({ ...minimal, ...env });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('configuration was accepted');
}

describe('several APIs: configuration', () => {
  it('MJ_UPSTREAMS lists APIs with defaults; MJ_API_URL is one API named default', () => {
    const config = loadConfig({
      ...minimal,
      MJ_UPSTREAMS: JSON.stringify([
        { name: 'alpha', url: 'https://alpha.example', key: 'k-alpha', provider: 'trueai', weight: 3, modes: ['fast', 'relax'] },
        { name: 'beta', url: 'https://beta.example', key: 'k-beta' },
      ]),
    });
    assert.deepEqual(
      upstreamsOf(config).map((u) => [u.name, u.provider, u.weight, u.modes]),
      [
        ['alpha', 'trueai', 3, ['fast', 'relax']],
        ['beta', 'custom', 1, undefined],
      ],
    );
    const single = upstreamsOf(loadConfig({ ...minimal, MJ_API_URL: 'https://one.example', MJ_API_KEY: 'k', MJ_PROVIDER: 'yescale' }));
    assert.deepEqual(single.map((u) => [u.name, u.url, u.provider]), [['default', 'https://one.example', 'yescale']]);
    assert.deepEqual(upstreamsOf(loadConfig(minimal)).map((u) => [u.name, u.url]), [['default', undefined]], 'nothing set: the simulator');
    assert.equal(loadConfig({ ...minimal, MJ_UPSTREAMS: '  ' }).MJ_UPSTREAMS, undefined, 'an empty value is unset');
  });

  it('names the bad entry and field, never a key or a URL; both ways at once is an error naming both', () => {
    const message = problems({
      MJ_UPSTREAMS: JSON.stringify([
        { name: 'alpha', url: 'https://alpha.example', key: 'sk-SECRET-1' },
        { name: 'beta', url: 'ftp://beta.example/SECRET', key: 'sk-SECRET-2', weight: 0 },
        { name: 'alpha', url: 'https://c.example', key: 'sk-SECRET-3', colour: 'red' },
      ]),
    });
    assert.match(message, /MJ_UPSTREAMS entry 2 \(beta\) field url must be an http\(s\):\/\/ URL/);
    assert.match(message, /MJ_UPSTREAMS entry 2 \(beta\) field weight must be a positive whole number/);
    assert.match(message, /MJ_UPSTREAMS entry 3 \(alpha\) field name is used twice/);
    assert.match(message, /MJ_UPSTREAMS entry 3 \(alpha\).*colour/);
    assert.doesNotMatch(message, /SECRET/);
    assert.match(problems({ MJ_UPSTREAMS: '[{"name":"Bad Name","url":"https://x.example"}]' }), /entry 1 field name must be 1 to 32 lower-case/);
    assert.match(problems({ MJ_UPSTREAMS: '{not json' }), /MJ_UPSTREAMS must be a JSON array/);
    assert.match(problems({ MJ_UPSTREAMS: '[]' }), /MJ_UPSTREAMS must list at least one API/);
    const both = problems({ MJ_API_URL: 'https://one.example', MJ_UPSTREAMS: '[{"name":"a","url":"https://a.example"}]' });
    assert.match(both, /MJ_API_URL and MJ_UPSTREAMS are both set/);
  });
});

describe('several APIs: choosing one', () => {
  it('smooth weighted round-robin: 1:1 splits ten tasks 5/5, 3:1 splits them 3:1, spread out', () => {
    const turns = new WeightedTurns();
    const even = [{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }];
    const ten = Array.from({ length: 10 }, () => turns.pick(even)!.name);
    assert.deepEqual([ten.filter((n) => n === 'a').length, ten.filter((n) => n === 'b').length], [5, 5]);
    const weighted = new WeightedTurns();
    const three = [{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }];
    const eight = Array.from({ length: 8 }, () => weighted.pick(three)!.name).join('');
    assert.equal(eight, 'aabaaaba', 'three a to one b in every four, the b in the middle of the a');
    assert.equal(new WeightedTurns().pick([]), undefined);
  });

  it('a failed API is set aside for 30 s, doubling to 10 minutes, with one probe at a time; a success brings it back', () => {
    let now = 1_000_000;
    const health = new UpstreamHealth(() => now);
    assert.equal(health.take(), true);
    assert.equal(health.failed('refusing', 'no account available'), true, 'a change of state');
    assert.equal(health.state, 'refusing');
    assert.equal(health.take(), false, 'in its cool-down');
    now += 30_000;
    assert.equal(health.take(), true, 'the cool-down is over: one probe');
    assert.equal(health.take(), false, 'only one probe at a time');
    assert.equal(health.failed('refusing', 'still none'), false, 'the same state again');
    now += 59_999;
    assert.equal(health.take(), false, 'the second cool-down is twice as long');
    now += 1;
    assert.equal(health.take(), true);
    for (let i = 0; i < 10; i += 1) health.failed('down', 'connection refused');
    assert.equal(health.availableAt - now, 600_000, 'at most 10 minutes');
    assert.equal(health.succeeded(), true);
    assert.equal(health.state, 'up');
    assert.equal(health.lastError, '');
    health.failed('down', 'again');
    assert.equal(health.availableAt - now, 30_000, 'a success starts the doubling again');
  });

  it('which failures set an API aside, and which may be sent to another API', () => {
    const error = (init: ConstructorParameters<typeof MjApiError>[0]) => new MjApiError(init);
    const noAccount = error({ kind: 'not-found', message: 'x', code: 3, httpStatus: 200, description: '无可用的账号实例' });
    assert.equal(verdictOf(noAccount), 'refusing');
    assert.equal(surelyNotCreated(noAccount), true, 'an answer that refused');
    assert.equal(verdictOf(error({ kind: 'queue-full', message: 'x', code: 23, httpStatus: 200 })), 'refusing');
    assert.equal(verdictOf(error({ kind: 'busy', message: 'x', httpStatus: 429 })), 'refusing');
    assert.equal(verdictOf(error({ kind: 'auth', message: 'x', httpStatus: 401 })), 'refusing');
    assert.equal(verdictOf(error({ kind: 'failure', message: 'x', httpStatus: 200, description: 'quota_not_enough' })), 'refusing');
    const refused = error({ kind: 'unavailable', message: 'x', notDelivered: true });
    assert.equal(verdictOf(refused), 'down');
    assert.equal(surelyNotCreated(refused), true, 'a connection that was never made');
    const dropped = error({ kind: 'unavailable', message: 'x' });
    assert.equal(verdictOf(dropped), 'down');
    assert.equal(surelyNotCreated(dropped), false, 'dropped after the body: it may exist');
    assert.equal(surelyNotCreated(error({ kind: 'unavailable', message: 'x', httpStatus: 502 })), false, 'a 5xx may have created it');
    assert.equal(verdictOf(error({ kind: 'banned', message: 'x', code: 24, httpStatus: 200 })), undefined, 'banned everywhere alike');
    assert.equal(verdictOf(error({ kind: 'validation', message: 'x', code: 4, httpStatus: 200 })), undefined, 'bad input everywhere alike');
  });
});
