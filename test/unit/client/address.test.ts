// What the client library takes as a REDIRECT's `to`, and how a WebSocket URL moves to that host.
import { describe, expect, it } from 'vitest';
import { onHost, parseAddress, urlHost } from '../../../shared/client/address.js';

describe('client library: host addresses', () => {
  it('reads HOST:PORT, IPv6 in brackets', () => {
    expect(parseAddress('127.0.0.2:8000')).toEqual({ host: '127.0.0.2', port: 8000 });
    expect(parseAddress('game-2.example.com:443')).toEqual({ host: 'game-2.example.com', port: 443 });
    expect(parseAddress('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseAddress('localhost:65535')).toEqual({ host: 'localhost', port: 65535 });
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'host', 'host:', ':80', 'host:0', 'host:65536', 'host:123456', '::1:80', '[::1]', '[127]:80',
      'a b:80', 'ws://host:80', 'host:80/ws', 'user@host:80', 'host:8o']) {
      expect(parseAddress(bad), bad).toBeNull();
    }
  });

  it('writes a URL host part', () => {
    expect(urlHost({ host: '127.0.0.3', port: 81 })).toBe('127.0.0.3:81');
    expect(urlHost({ host: '::1', port: 81 })).toBe('[::1]:81');
  });

  it('moves a URL to another host, keeping its scheme, path and query', () => {
    expect(onHost('ws://127.0.0.2:8000/ws', '127.0.0.3:9000')).toBe('ws://127.0.0.3:9000/ws');
    expect(onHost('wss://a.example.com/game/ws', 'b.example.com:443')).toBe('wss://b.example.com:443/game/ws');
    expect(onHost('ws://a:1/ws?x=1', '[::1]:2')).toBe('ws://[::1]:2/ws?x=1');
    expect(onHost('ws://u:p@a:1/ws', 'b:2')).toBe('ws://u:p@b:2/ws');
    expect(onHost('ws://a:1', 'b:2')).toBe('ws://b:2');
    expect(() => onHost('not a url', 'b:2')).toThrow(/scheme:\/\/host/);
  });
});
