import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commands } from '../commands';
import { parseCommand, type Directory, type RegisteredCommand } from '../src/playground/parse';

/** The command box of the playground reads what a person types against the commands the bot registers. */
const registered = commands.map((c) => c.data) as unknown as RegisteredCommand[];
const directory: Directory = {
  user: (name) => ({ bob: '2' })[name],
  channel: (name) => ({ general: '3' })[name],
  role: (name) => ({ everyone: '1', Patron: '4' })[name],
};
const parse = (text: string, files: Record<string, string> = {}) => parseCommand(text, registered, directory, files);

describe('the playground command box', () => {
  it('reads options by name, values running to the next option (colons in prompts stay)', () => {
    assert.deepEqual(parse('/imagine prompt: a red fox --ar 3:2 mode: fast'), { ok: true, name: 'imagine', subcommand: undefined, options: { prompt: 'a red fox --ar 3:2', mode: 'fast' } });
    assert.deepEqual(parse('/imagine a red fox'), { ok: true, name: 'imagine', subcommand: undefined, options: { prompt: 'a red fox' } });
  });

  it('types values as registered: numbers, booleans, roles, members, channels, choices, files', () => {
    assert.deepEqual(parse('/admin limit role: @everyone daily: 10 concurrent: 1'), {
      ok: true,
      name: 'admin',
      subcommand: 'limit',
      options: { role: { id: '1', type: 8 }, daily: 10, concurrent: 1 },
    });
    assert.deepEqual(parse('/admin usage member: @bob days: 3'), { ok: true, name: 'admin', subcommand: 'usage', options: { member: { id: '2', type: 6 }, days: 3 } });
    assert.deepEqual(parse('/admin channels action: allow channel: #general'), { ok: true, name: 'admin', subcommand: 'channels', options: { action: 'allow', channel: { id: '3', type: 7 } } });
    assert.deepEqual(parse('/video prompt: waves hd: yes motion: HIGH'), { ok: true, name: 'video', subcommand: undefined, options: { prompt: 'waves', hd: true, motion: 'high' } });
    assert.deepEqual(parse('/blend dimensions: portrait (2:3)', { image1: 'a', image2: 'b', unknown: 'c' }), {
      ok: true,
      name: 'blend',
      subcommand: undefined,
      options: { dimensions: 'portrait', image1: { attachment: 'a' }, image2: { attachment: 'b' } },
    });
  });

  it('refuses what Discord’s client would not send, in words', () => {
    const error = (text: string) => {
      const parsed = parse(text);
      assert.equal(parsed.ok, false, text);
      return parsed.ok ? '' : parsed.error;
    };
    assert.match(error('/nothing'), /No command \/nothing/);
    assert.match(error('/imagine'), /needs prompt/);
    assert.match(error('/imagine prompt: x mode: warp'), /mode must be one of: fast, relax, turbo/);
    assert.match(error('/admin'), /needs one of: limit, mode/);
    assert.match(error('/admin limit role: @nobody daily: 1 concurrent: 1'), /no role/);
    assert.match(error('/admin limit role: @everyone daily: ten concurrent: 1'), /daily must be a whole number/);
    assert.match(error('/blend'), /needs image1, image2/);
    assert.match(error('/quota now'), /not the value of an option/);
  });
});
