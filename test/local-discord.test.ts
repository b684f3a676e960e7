import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startLocalDiscord } from '../src/playground/discord';
import { messageProblem, modalProblem } from '../src/playground/discord/limits';

const button = (id: string, label = id) => ({ type: 2, style: 2, custom_id: id, label });
const row = (...components: unknown[]) => ({ type: 1, components });

describe('the local Discord refuses what Discord refuses', () => {
  it('message limits: rows, buttons, labels, ids, selects, embeds, content', () => {
    assert.equal(messageProblem({ content: 'hi', components: [row(button('a'), button('b'))] }), undefined);
    assert.match(messageProblem({ components: Array.from({ length: 6 }, (_, i) => row(button(`r${i}`))) }) ?? '', /at most 5 rows/);
    assert.match(messageProblem({ components: [row(...Array.from({ length: 6 }, (_, i) => button(`b${i}`)))] }) ?? '', /at most 5 buttons/);
    assert.match(messageProblem({ components: [row(button('a', 'x'.repeat(81)))] }) ?? '', /label: at most 80/);
    assert.match(messageProblem({ components: [row(button('a')), row(button('a'))] }) ?? '', /duplicated/);
    assert.match(messageProblem({ components: [row({ type: 2, style: 5, label: 'go', url: 'https://x', custom_id: 'a' })] }) ?? '', /link button/);
    const options = Array.from({ length: 26 }, (_, i) => ({ label: `o${i}`, value: `o${i}` }));
    assert.match(messageProblem({ components: [row({ type: 3, custom_id: 's', options })] }) ?? '', /options: 1 to 25/);
    assert.match(messageProblem({ components: [row({ type: 3, custom_id: 's', options: options.slice(0, 2) }, button('b'))] }) ?? '', /fills its row/);
    assert.match(messageProblem({ embeds: [{ description: 'x'.repeat(4000) }, { description: 'y'.repeat(2001) }] }) ?? '', /6000 characters together/);
    assert.match(messageProblem({ content: 'z'.repeat(2001) }) ?? '', /content/);
  });

  it('form limits: title, inputs, labels', () => {
    const input = { type: 4, custom_id: 'p', style: 2, label: 'Prompt', max_length: 4000 };
    assert.equal(modalProblem({ custom_id: 'm', title: 'Edit prompt', components: [row(input)] }), undefined);
    assert.equal(modalProblem({ custom_id: 'm', title: 'Edit prompt', components: [{ type: 18, label: 'Prompt', component: { ...input, label: undefined } }] }), undefined);
    assert.match(modalProblem({ custom_id: 'm', title: 't'.repeat(46), components: [row(input)] }) ?? '', /title/);
    assert.match(modalProblem({ custom_id: 'm', title: 'ok', components: [row({ ...input, max_length: 5000 })] }) ?? '', /4000/);
  });

  it('answers 400 with code 50035, as Discord does', async () => {
    const discord = await startLocalDiscord();
    try {
      const res = await fetch(`${discord.apiUrl}/v10/channels/${discord.channelId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bot ${discord.botToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ components: Array.from({ length: 6 }, (_, i) => row(button(`r${i}`))) }),
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { code: number }).code, 50035);
      assert.equal(discord.messagesIn().length, 0, 'nothing was posted');
    } finally {
      await discord.close();
    }
  });
});
