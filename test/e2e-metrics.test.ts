import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestWorld } from './support/harness';
import { freePort } from './support/ports';
import { buttonId, isDone } from './support/surface';

/** Issue 26: GET /metrics, on the /healthz port, in Prometheus's text format. */

/** The samples of a scrape: `name{labels} value`, comments left out. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

const sum = (list: ReturnType<typeof samples>, name: string, labels: Record<string, string> = {}) =>
  list.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

describe('GET /metrics', () => {
  let world: TestWorld;
  let base: string;
  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    world = await TestWorld.start({ env: { HTTP_PORT: String(port), DEFAULT_DAILY_TASKS: '1' } });
  });
  after(() => world?.stop());

  const scrape = async () => {
    const answer = await fetch(`${base}/metrics`);
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers.get('content-type')), /^text\/plain; version=0\.0\.4/);
    return { text: await answer.text(), list: samples(await (await fetch(`${base}/metrics`)).text()) };
  };

  test('after a task and a button: the counters rose, the card lag is a histogram, no label carries an id or a secret', async () => {
    const before = (await scrape()).list;
    const interaction = await world.command('imagine', { prompt: 'a metered fox' });
    const grid = await world.untilOriginal(interaction, isDone, 'the grid');
    const u1 = world.discord.click(grid.id, buttonId(grid, 'U1'));
    await world.untilOriginal(u1, isDone, 'the upscale');
    // A member over their daily quota (1): a refusal the ledger counts.
    const refused = await world.command('imagine', { prompt: 'one too many' }, { user: world.discord.bob });
    const bobsFirst = await world.untilOriginal(refused, isDone, 'bob’s first');
    assert.ok(bobsFirst);
    const again = await world.command('imagine', { prompt: 'two too many' }, { user: world.discord.bob });
    assert.match(await world.privateAnswer(again), /used your 1 task for today/);
    const { text, list } = await scrape();

    assert.equal(sum(list, 'mjbridge_tasks_started_total', { kind: 'imagine', upstream: 'default' }) - sum(before, 'mjbridge_tasks_started_total', { kind: 'imagine' }), 2);
    assert.equal(sum(list, 'mjbridge_tasks_started_total', { kind: 'upscale' }), 1);
    assert.ok(sum(list, 'mjbridge_tasks_finished_total', { kind: 'imagine', status: 'done' }) >= 2);
    assert.ok(sum(list, 'mjbridge_api_requests_total', { endpoint: '/mj/submit/imagine', outcome: 'ok' }) >= 2);
    assert.ok(sum(list, 'mjbridge_api_requests_total', { endpoint: '/mj/task/list-by-condition', outcome: 'ok' }) >= 1);
    assert.ok(sum(list, 'mjbridge_discord_requests_total', { route: 'PATCH /webhooks/:app/:token/messages/:message', status: '2xx' }) >= 2);
    assert.equal(sum(list, 'mjbridge_quota_refusals_total', { limit: 'daily quota' }), 1);
    assert.ok(list.some((s) => s.name === 'mjbridge_card_lag_seconds_bucket'), 'the card lag histogram');
    assert.ok(sum(list, 'mjbridge_card_lag_seconds_count') >= 4, 'every card edit that showed a change');
    assert.equal(sum(list, 'mjbridge_upstream_up', { upstream: 'default', state: 'up' }), 1);
    assert.ok(list.some((s) => s.name === 'mjbridge_tasks_in_flight'));
    for (const name of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'process_cpu_seconds_total']) {
      assert.ok(list.some((s) => s.name === name), name);
    }
    // Labels are kinds, statuses, routes and API names: never a task id, a snowflake, a prompt or a secret.
    const labels = list.flatMap((s) => Object.values(s.labels));
    for (const value of labels) {
      assert.doesNotMatch(value, /\d{12,}/, `no id in a label: ${value}`);
      assert.doesNotMatch(value, /fox|too many/, `no prompt in a label: ${value}`);
    }
    for (const secret of [world.env.MJ_API_KEY!, world.discord.botToken]) assert.ok(!text.includes(secret), 'no secret in the scrape');
  });
});
