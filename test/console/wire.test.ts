// The console's pure parts: how a line becomes a request, what a ban target may be and what it
// matches, and how answers are laid out for a person.
import { describe, expect, it } from 'vitest';
import { BanList, banTarget } from '../../server/console/bans.js';
import { addressMatcher as matcher } from '../../server/net/addresses.js';
import { render } from '../../server/console/format.js';
import { checkLimit } from '../../server/console/limits.js';
import { parseLine, tokenize } from '../../server/console/wire.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'ok';
};

describe('console wire form', () => {
  it('splits typed words with quotes and escapes', () => {
    expect(tokenize(String.raw`  say "hello  there" it\'s\ ok `)).toEqual(['say', 'hello  there', "it's ok"]);
    expect(tokenize("kick p1 'a \"quoted\" reason'")).toEqual(['kick', 'p1', 'a "quoted" reason']);
    expect(tokenize('say ""')).toEqual(['say', '']);
    expect(code(() => tokenize('say "open'))).toBe('BAD_REQUEST');
  });

  it('reads JSON requests and plain lines alike', () => {
    expect(parseLine('{"id":3,"cmd":"ROOMS","args":["--worker",0]}')).toEqual({ id: 3, cmd: 'rooms', args: ['--worker', '0'] });
    expect(parseLine('rooms --worker 0')).toEqual({ id: null, cmd: 'rooms', args: ['--worker', '0'] });
    expect(code(() => parseLine('{"cmd":"status","args":"x"}'))).toBe('BAD_REQUEST');
    expect(code(() => parseLine('{"id":{},"cmd":"status"}'))).toBe('BAD_REQUEST');
    expect(code(() => parseLine('{"cmd":"process.exit"}'))).toBe('UNKNOWN_COMMAND');
    expect(code(() => parseLine('{"cmd":"say","args":[null]}'))).toBe('BAD_REQUEST');
  });
});

describe('console bans and limits', () => {
  it('accepts addresses and CIDR subnets only, normalised', () => {
    expect(banTarget('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(banTarget('10.0.0.0/08')).toBe('10.0.0.0/8');
    expect(banTarget('2001:DB8::/32')).toBe('2001:db8::/32');
    for (const bad of ['example.com', '10.0.0.0/33', '10.0.0.1/8/1', '', '1.2.3']) expect(code(() => banTarget(bad))).toBe('BAD_ARGS');
  });

  it('matches v4, v4-mapped v6 and subnets', () => {
    const m = matcher(['10.1.0.0/16', '192.0.2.7', '2001:db8::/32']);
    expect(m('10.1.200.3')).toBe(true);
    expect(m('::ffff:192.0.2.7')).toBe(true);
    expect(m('2001:db8::1')).toBe(true);
    expect(m('10.2.0.1')).toBe(false);
    expect(m('unknown')).toBe(false);
  });

  it('lets a ban lapse at its end', () => {
    const list = new BanList();
    list.set([{ address: '192.0.2.1', until: Date.now() + 60_000, at: 0 }, { address: '192.0.2.2', until: Date.now() - 1, at: 0 }]);
    expect(list.isBanned('192.0.2.1')).toBe(true);
    expect(list.isBanned('192.0.2.2')).toBe(false);
    expect(list.list().map((b) => b.address)).toEqual(['192.0.2.1']);
  });

  it('checks limits against the settings table', () => {
    expect(checkLimit('graceMs', '1000')).toEqual({ limit: 'graceMs', value: 1000 });
    expect(code(() => checkLimit('graceMs', '-1'))).toBe('BAD_ARGS');
    expect(code(() => checkLimit('hz', '30'))).toBe('UNKNOWN_LIMIT');
    expect(code(() => checkLimit('toString', '1'))).toBe('UNKNOWN_LIMIT');
  });
});

describe('console tables', () => {
  it('aligns columns, numbers to the right, and flattens records', () => {
    expect(render([{ id: 'a', n: 5 }, { id: 'bbb', n: 10, extra: null }]).split('\n')).toEqual([
      'ID    N  EXTRA',
      'a     5  -',
      'bbb  10  -',
    ]);
    expect(render({ a: { b: 1 }, rows: [{ x: 1 }] })).toBe('a.b  1\n\nrows:\nX\n1');
    expect(render([])).toBe('(none)');
    expect(render(null)).toBe('ok');
  });
});
