import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { LocalDiscord, startLocalDiscord, type LocalInteraction } from '../src/playground/discord';
import { messageProblem, modalProblem } from '../src/playground/discord/limits';

const button = (id: string, label = id) => ({ type: 2, style: 2, custom_id: id, label });
const row = (...components: unknown[]) => ({ type: 1, components });
const input = { type: 4, custom_id: 'p', style: 2, label: 'Prompt', max_length: 4000 };
const MIB = 1024 * 1024;

describe('the local Discord refuses what Discord refuses', () => {
  it('message limits: rows, buttons, labels, ids, selects, embeds, content', () => {
    assert.equal(messageProblem({ content: 'hi', components: [row(button('a'), button('b'))] }), undefined);
    assert.match(messageProblem({ components: Array.from({ length: 6 }, (_, i) => row(button(`r${i}`))) }) ?? '', /at most 5 rows/);
    assert.match(messageProblem({ components: [row(button('a')), row(button('a'))] }) ?? '', /duplicated/);
    const options = Array.from({ length: 26 }, (_, i) => ({ label: `o${i}`, value: `o${i}` }));
    assert.match(messageProblem({ components: [row({ type: 3, custom_id: 's', options })] }) ?? '', /options: 1 to 25/);
    assert.match(messageProblem({ components: [row({ type: 3, custom_id: 's', options: options.slice(0, 2), min_values: 26 })] }) ?? '', /min_values/);
    assert.match(messageProblem({ components: [row({ type: 3, custom_id: 's', options: [{ label: 'a', value: 'a', emoji: { name: 'black_nib' } }] })] }) ?? '', /Invalid emoji/);
    assert.match(messageProblem({ content: 'z'.repeat(2001) }) ?? '', /content/);
  });

  it('form limits: Label and action-row inputs, their lengths and placeholder', () => {
    assert.equal(modalProblem({ custom_id: 'm', title: 'Edit prompt', components: [row(input)] }), undefined);
    assert.equal(modalProblem({ custom_id: 'm', title: 'Edit prompt', components: [{ type: 18, label: 'Prompt', component: { ...input, label: undefined } }] }), undefined);
    assert.match(modalProblem({ custom_id: 'm', title: 'ok', components: [row({ ...input, max_length: 5000 })] }) ?? '', /max_length: 1 to 4000/);
    assert.match(modalProblem({ custom_id: 'm', title: 'ok', components: [row({ ...input, placeholder: 'p'.repeat(101) })] }) ?? '', /placeholder/);
    assert.match(modalProblem({ custom_id: 'm', title: 'ok', components: [row({ ...input, custom_id: '' })] }) ?? '', /custom_id: 1 to 100/);
    assert.match(modalProblem({ custom_id: 'm', title: 'ok', components: [{ type: 18, label: 'L', description: 'd'.repeat(101), component: input }] }) ?? '', /description/);
  });
});

/** Minimal gateway client: the local Discord dispatches interactions only to an identified session. */
async function connectGateway(discord: LocalDiscord): Promise<{ events: Array<{ t: string; d: any }>; close(): void }> {
  const socket = new WebSocket(`${discord.url.replace(/^http/, 'ws')}/gateway?v=10&encoding=json`);
  const events: Array<{ t: string; d: any }> = [];
  socket.on('message', (raw) => {
    const packet = JSON.parse(String(raw)) as { op: number; t: string; d: any };
    if (packet.op === 10) socket.send(JSON.stringify({ op: 2, d: { token: discord.botToken, intents: 0, properties: {} } }));
    if (packet.op === 0) events.push({ t: packet.t, d: packet.d });
  });
  await discord.gateway.waitForIdentify(1);
  return { events, close: () => socket.terminate() };
}

describe('over its HTTP API, the local Discord answers as Discord does (docs/discord-limits.md)', () => {
  let discord: LocalDiscord;
  let gateway: Awaited<ReturnType<typeof connectGateway>>;
  before(async () => {
    // No rate limits: dozens of refused bodies go to one channel in a moment.
    discord = await startLocalDiscord({ rateLimits: false });
    gateway = await connectGateway(discord);
  });
  after(async () => {
    gateway.close();
    await discord.close();
  });

  const auth = () => ({ authorization: `Bot ${discord.botToken}` });
  const postMessage = (body: unknown) =>
    fetch(`${discord.apiUrl}/v10/channels/${discord.channelId}/messages`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  /** Asserts Discord's 400 / 50035, naming the broken rule. */
  const refused = async (res: Response, rule: RegExp) => {
    const body = (await res.json()) as { code: number; message: string };
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(body.code, 50035);
    assert.match(body.message, /^Invalid Form Body: /);
    assert.match(body.message, rule);
  };
  const refusedMessage = async (body: unknown, rule: RegExp) => {
    const count = discord.messagesIn().length;
    await refused(await postMessage(body), rule);
    assert.equal(discord.messagesIn().length, count, 'nothing was posted');
  };
  const withButton = (fields: Record<string, unknown>) => ({ components: [row({ type: 2, style: 2, custom_id: 'b', label: 'B', ...fields })] });
  /** A member runs a command; the bot (this test) answers it over HTTP. */
  const callback = (interaction: LocalInteraction, body: unknown) =>
    fetch(`${discord.apiUrl}/v10/interactions/${interaction.id}/${interaction.token}/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const upload = (url: string, method: string, sizes: number[]) => {
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'files', attachments: sizes.map((_, i) => ({ id: i, filename: `f${i}.png` })) }));
    sizes.forEach((size, i) => form.append(`files[${i}]`, new Blob([Buffer.alloc(size, 1)], { type: 'image/png' }), `f${i}.png`));
    return fetch(url, { method, headers: auth(), body: form });
  };

  it('400 / 50035 for a button custom_id that is missing, empty or over 100 characters', async () => {
    await refusedMessage(withButton({ custom_id: '' }), /custom_id: 1 to 100/);
    await refusedMessage(withButton({ custom_id: 'x'.repeat(101) }), /custom_id: 1 to 100/);
    await refusedMessage(withButton({ custom_id: undefined }), /custom_id: 1 to 100/);
  });

  it('400 / 50035 for a link button with a custom_id, without a url, or with a url over 512 characters; and a url on another style', async () => {
    const link = { style: 5, custom_id: undefined, url: 'https://example.com/' };
    await refusedMessage(withButton({ ...link, custom_id: 'go' }), /link button has none/);
    await refusedMessage(withButton({ ...link, url: undefined }), /url: a link button has one of 1 to 512/);
    await refusedMessage(withButton({ ...link, url: `https://example.com/${'a'.repeat(513 - 20)}` }), /url: a link button has one of 1 to 512/);
    await refusedMessage(withButton({ url: 'https://example.com/' }), /only a link button/);
    await refusedMessage(withButton({ style: 7 }), /not a button style/);
  });

  it('400 / 50035 for a label over 80, neither label nor emoji, a custom emoji without id, an id that is no snowflake', async () => {
    await refusedMessage(withButton({ label: 'l'.repeat(81) }), /label: at most 80/);
    await refusedMessage(withButton({ label: undefined }), /a label or an emoji/);
    await refusedMessage(withButton({ emoji: { name: 'upscale_1' } }), /emoji\.name: Invalid emoji/);
    await refusedMessage(withButton({ label: undefined, emoji: { name: '🔄 again' } }), /Invalid emoji/);
    await refusedMessage(withButton({ emoji: { id: 'upscale', name: 'upscale_1' } }), /emoji\.id: a snowflake/);
  });

  it('400 / 50035 for six buttons in a row, or a select menu sharing its row', async () => {
    await refusedMessage({ components: [row(...Array.from({ length: 6 }, (_, i) => button(`b${i}`)))] }, /at most 5 buttons/);
    const select = { type: 3, custom_id: 's', options: [{ label: 'a', value: 'a' }] };
    await refusedMessage({ components: [row(select, button('b'))] }, /a select menu fills its row/);
  });

  it('accepts the edges: custom_id of 100, url of 512, label of 80, a unicode emoji alone, a custom emoji with its id', async () => {
    const res = await postMessage({
      components: [
        row(
          { type: 2, style: 1, custom_id: 'c'.repeat(100), label: 'l'.repeat(80) },
          { type: 2, style: 5, url: `https://example.com/${'a'.repeat(512 - 20)}`, label: 'open' },
          { type: 2, style: 2, custom_id: 'reroll', emoji: { name: '🔄' } },
          { type: 2, style: 2, custom_id: 'keycap', emoji: { name: '1️⃣' } },
          { type: 2, style: 2, custom_id: 'custom', emoji: { id: '123456789012345678', name: 'upscale_1' } },
        ),
        row({ type: 3, custom_id: 's', options: [{ label: 'a', value: 'a', emoji: { name: '✏️' } }] }),
      ],
    });
    assert.equal(res.status, 200, await res.clone().text());
    const message = (await res.json()) as { components: Array<{ components: unknown[] }> };
    assert.equal(message.components[0]!.components.length, 5);
  });

  it('400 / 50035 for embeds over Discord’s limits: footer 2048, author 256, title 256, description 4096, 25 fields, 6000 in all, 10 embeds', async () => {
    await refusedMessage({ embeds: [{ footer: { text: 'f'.repeat(2049) } }] }, /footer\.text: 1 to 2048/);
    await refusedMessage({ embeds: [{ author: { name: 'a'.repeat(257) } }] }, /author\.name: 1 to 256/);
    await refusedMessage({ embeds: [{ footer: {} }] }, /footer\.text/);
    await refusedMessage({ embeds: [{ title: 't'.repeat(257) }] }, /title: at most 256/);
    await refusedMessage({ embeds: [{ description: 'd'.repeat(4097) }] }, /description: at most 4096/);
    const field = { name: 'n', value: 'v' };
    await refusedMessage({ embeds: [{ fields: Array.from({ length: 26 }, () => field) }] }, /fields: at most 25/);
    await refusedMessage({ embeds: [{ fields: [{ name: 'n'.repeat(257), value: 'v' }] }] }, /fields\[0\]\.name: 1 to 256/);
    await refusedMessage({ embeds: [{ fields: [{ name: 'n', value: 'v'.repeat(1025) }] }] }, /fields\[0\]\.value: 1 to 1024/);
    await refusedMessage({ embeds: [{ fields: [{ name: 'n', value: '   ' }] }] }, /fields\[0\]\.value: 1 to 1024/);
    await refusedMessage({ embeds: [{ description: 'x'.repeat(4000) }, { description: 'y'.repeat(2001) }] }, /6000 characters together/);
    await refusedMessage({ embeds: Array.from({ length: 11 }, () => ({ title: 't' })) }, /embeds: at most 10/);
  });

  it('accepts embeds at the edges; whitespace Discord trims is not counted', async () => {
    const res = await postMessage({
      embeds: [{ title: 't'.repeat(256), footer: { text: `${'f'.repeat(2048)}  \n` }, author: { name: 'a'.repeat(256) }, fields: Array.from({ length: 25 }, () => ({ name: 'n', value: 'v' })) }],
    });
    assert.equal(res.status, 200, await res.clone().text());
  });

  it('400 / 50035 for a form whose title is empty or over 45, with no or six inputs, or a label over 45; the edges pass', async () => {
    const modal = (data: Record<string, unknown>) => ({ type: 9, data: { custom_id: 'm', title: 'Edit prompt', components: [row(input)], ...data } });
    const open = async (data: Record<string, unknown>) => callback(discord.command('imagine'), modal(data));
    await refused(await open({ title: 't'.repeat(46) }), /title: 1 to 45/);
    await refused(await open({ title: '' }), /title: 1 to 45/);
    await refused(await open({ components: [] }), /components: 1 to 5/);
    await refused(await open({ components: Array.from({ length: 6 }, (_, i) => row({ ...input, custom_id: `p${i}` })) }), /components: 1 to 5/);
    await refused(await open({ components: [row({ ...input, label: 'l'.repeat(46) })] }), /label: 1 to 45/);
    await refused(await open({ custom_id: 'm'.repeat(101) }), /custom_id: 1 to 100/);
    const edge = await open({ title: 't'.repeat(45), components: Array.from({ length: 5 }, (_, i) => row({ ...input, custom_id: `p${i}`, label: 'l'.repeat(45) })) });
    assert.equal(edge.status, 204, await edge.text());
  });

  it('413 / 40005 for a file over 10 MiB, on a channel message and on an interaction webhook edit; exactly 10 MiB passes', async () => {
    const channel = `${discord.apiUrl}/v10/channels/${discord.channelId}/messages`;
    const before = discord.messagesIn().length;
    const over = await upload(channel, 'POST', [10 * MIB + 1]);
    assert.equal(over.status, 413);
    assert.deepEqual(await over.json(), { code: 40005, message: 'Request entity too large' });
    assert.equal(discord.messagesIn().length, before, 'nothing was posted');

    const command = discord.command('imagine');
    assert.equal((await callback(command, { type: 5 })).status, 204);
    const original = `${discord.apiUrl}/v10/webhooks/${discord.applicationId}/${command.token}/messages/@original`;
    const edit = await upload(original, 'PATCH', [1000, 10 * MIB + 1]);
    assert.equal(edit.status, 413);
    assert.deepEqual(await edit.json(), { code: 40005, message: 'Request entity too large' });
    assert.equal(discord.original(command)!.attachments.length, 0, 'the edit was not applied');

    const fits = await upload(original, 'PATCH', [10 * MIB]);
    assert.equal(fits.status, 200, await fits.clone().text());
    assert.equal(discord.original(command)!.attachments[0]!.size, 10 * MIB);
  });

  it('413 / 40005 for a request over 25 MiB, even when each file fits', async () => {
    const res = await upload(`${discord.apiUrl}/v10/channels/${discord.channelId}/messages`, 'POST', [9 * MIB, 9 * MIB, 9 * MIB]);
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { code: 40005, message: 'Request entity too large' });
  });

  it('advertises attachment_size_limit (bytes) in every interaction it dispatches: command, button, select, modal submit', async () => {
    const posted = (await (await postMessage({ components: [row(button('go')), row({ type: 3, custom_id: 's', options: [{ label: 'a', value: 'a' }] })] })).json()) as { id: string };
    const command = discord.command('imagine');
    const click = discord.click(posted.id, 'go');
    const pick = discord.select(posted.id, 's', ['a']);
    assert.equal((await callback(click, { type: 9, data: { custom_id: 'm', title: 'Edit prompt', components: [row(input)] } })).status, 204);
    const submit = discord.submitModal(click, { p: 'a cat' });
    const ids = new Set([command.id, click.id, pick.id, submit.id]);
    const sent = await discord.waitFor(() => {
      const events = gateway.events.filter((e) => e.t === 'INTERACTION_CREATE' && ids.has(e.d.id));
      return events.length === ids.size ? events : undefined;
    }, 'the four interactions on the gateway');
    for (const event of sent) assert.equal(event.d.attachment_size_limit, 10 * MIB, `interaction type ${event.d.type}`);
  });
});

describe('a boosted server: attachmentSizeLimit moves what is advertised and what is enforced together', () => {
  it('advertises 1000 bytes and refuses 1001', async () => {
    const discord = await startLocalDiscord({ attachmentSizeLimit: 1000 });
    const gateway = await connectGateway(discord);
    try {
      const command = discord.command('imagine');
      const event = await discord.waitFor(() => gateway.events.find((e) => e.d?.id === command.id), 'the interaction');
      assert.equal(event.d.attachment_size_limit, 1000);
      const form = new FormData();
      form.append('payload_json', JSON.stringify({ content: 'x' }));
      form.append('files[0]', new Blob([Buffer.alloc(1001)]), 'big.png');
      const res = await fetch(`${discord.apiUrl}/v10/channels/${discord.channelId}/messages`, { method: 'POST', headers: { authorization: `Bot ${discord.botToken}` }, body: form });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { code: number }).code, 40005);
    } finally {
      gateway.close();
      await discord.close();
    }
  });
});

describe('the bot token', () => {
  it('is a fresh random one unless given: nothing else on the machine can act as the bot', async () => {
    const [first, second] = [new LocalDiscord(), new LocalDiscord()];
    assert.notEqual(first.botToken, second.botToken);
    assert.ok(first.botToken.length >= 24, first.botToken);
    assert.equal(new LocalDiscord({ botToken: 'given.token' }).botToken, 'given.token');
    const discord = await startLocalDiscord();
    try {
      const res = await fetch(`${discord.apiUrl}/v10/users/@me`, { headers: { authorization: 'Bot local.bot.token-for-tests-only' } });
      assert.equal(res.status, 401, 'the token tests pass is no default');
    } finally {
      await discord.close();
    }
  });
});
