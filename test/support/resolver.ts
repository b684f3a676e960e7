import type { LookupAddress } from 'node:dns';
import type { Resolve } from '../../src/net/links';

/** A public address to stand for names the tests use as "somewhere on the internet" (example.com's). */
export const PUBLIC_ADDRESS = '93.184.215.14';

/**
 * The tests' DNS: names they use answered with chosen addresses, so nothing is looked up on the network.
 * `*.public.test` and example.com are public, `*.private.test` private, `mixed.test` both; anything else is unknown.
 */
export const testResolve: Resolve = (hostname, callback) => {
  const name = hostname.toLowerCase();
  const answer = (...addresses: string[]): LookupAddress[] => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  if (name === 'example.com' || name.endsWith('.example.com') || name.endsWith('public.test')) return callback(null, answer(PUBLIC_ADDRESS));
  if (name.endsWith('private.test')) return callback(null, answer('10.0.0.5'));
  if (name === 'mixed.test') return callback(null, answer(PUBLIC_ADDRESS, '127.0.0.1'));
  return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
};
