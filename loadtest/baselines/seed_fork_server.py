#!/usr/bin/env python3
"""The seed design, as a baseline: a TCP server that forks one process per connection.

Speaks Shoal's TCP framing (4-byte big-endian length, then one MessagePack map) and answers
`hello` with a fixed `welcome` and `ping` with `pong`, like the Node baselines. Standard library
only (no msgpack package on the machine), so it carries a small MessagePack reader and writer.

usage: seed_fork_server.py --port P [--host 127.0.0.1]
Prints "ready" once listening.
"""
import argparse
import os
import signal
import socket
import struct
import sys


def read_obj(b, i):
    """Decodes one MessagePack value at b[i:]; returns (value, next index)."""
    c = b[i]
    i += 1
    if c <= 0x7F:
        return c, i
    if 0x80 <= c <= 0x8F:
        return read_map(b, i, c & 0x0F)
    if 0x90 <= c <= 0x9F:
        return read_arr(b, i, c & 0x0F)
    if 0xA0 <= c <= 0xBF:
        n = c & 0x1F
        return b[i:i + n].decode(), i + n
    if c >= 0xE0:
        return c - 0x100, i
    if c == 0xC0:
        return None, i
    if c == 0xC2:
        return False, i
    if c == 0xC3:
        return True, i
    fixed = {0xCA: ('>f', 4), 0xCB: ('>d', 8), 0xCC: ('>B', 1), 0xCD: ('>H', 2), 0xCE: ('>I', 4),
             0xCF: ('>Q', 8), 0xD0: ('>b', 1), 0xD1: ('>h', 2), 0xD2: ('>i', 4), 0xD3: ('>q', 8)}
    if c in fixed:
        fmt, n = fixed[c]
        return struct.unpack_from(fmt, b, i)[0], i + n
    if c in (0xD9, 0xDA, 0xDB):
        w = {0xD9: 1, 0xDA: 2, 0xDB: 4}[c]
        n = int.from_bytes(b[i:i + w], 'big')
        i += w
        return b[i:i + n].decode(), i + n
    if c in (0xDE, 0xDF):
        w = 2 if c == 0xDE else 4
        return read_map(b, i + w, int.from_bytes(b[i:i + w], 'big'))
    if c in (0xDC, 0xDD):
        w = 2 if c == 0xDC else 4
        return read_arr(b, i + w, int.from_bytes(b[i:i + w], 'big'))
    raise ValueError('unsupported msgpack byte %#x' % c)


def read_map(b, i, n):
    m = {}
    for _ in range(n):
        k, i = read_obj(b, i)
        v, i = read_obj(b, i)
        m[k] = v
    return m, i


def read_arr(b, i, n):
    a = []
    for _ in range(n):
        v, i = read_obj(b, i)
        a.append(v)
    return a, i


def write_obj(v):
    if v is None:
        return b'\xc0'
    if v is True:
        return b'\xc3'
    if v is False:
        return b'\xc2'
    if isinstance(v, int):
        if 0 <= v <= 0x7F:
            return bytes([v])
        if 0 <= v <= 0xFFFFFFFF:
            return b'\xce' + struct.pack('>I', v)
        return b'\xd3' + struct.pack('>q', v)
    if isinstance(v, float):
        return b'\xcb' + struct.pack('>d', v)
    if isinstance(v, str):
        e = v.encode()
        return (bytes([0xA0 | len(e)]) if len(e) < 32 else b'\xd9' + bytes([len(e)])) + e
    if isinstance(v, dict):
        out = bytes([0x80 | len(v)])
        for k, x in v.items():
            out += write_obj(k) + write_obj(x)
        return out
    raise ValueError('cannot encode %r' % (v,))


def framed(m):
    body = write_obj(m)
    return struct.pack('>I', len(body)) + body


WELCOME = framed({'t': 'welcome', 'id': 'p1', 'token': 'seed-token', 'room': 'seed', 'hz': 20,
                  'tick': 0, 'resumed': False, 'world': {'w': 1000, 'h': 1000}})


def serve(conn):
    """One connection, in its own process."""
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b''
    while True:
        data = conn.recv(65536)
        if not data:
            return
        buf += data
        while len(buf) >= 4:
            n = struct.unpack_from('>I', buf)[0]
            if n == 0 or n > 65536:
                return
            if len(buf) < 4 + n:
                break
            body, buf = buf[4:4 + n], buf[4 + n:]
            try:
                m, _ = read_obj(body, 0)
            except Exception:
                continue
            if not isinstance(m, dict):
                continue
            if m.get('t') == 'hello':
                conn.sendall(WELCOME)
            elif m.get('t') == 'ping':
                conn.sendall(framed({'t': 'pong', 'id': m.get('id', 0), 'tick': 0}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--host', default='127.0.0.1')
    a = ap.parse_args()
    # Children are reaped by the kernel; the parent never waits for them.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((a.host, a.port))
    srv.listen(128)
    # On SIGTERM, take the whole process group (every forked child) down with the parent.
    signal.signal(signal.SIGTERM, lambda *_: (os.killpg(0, signal.SIGKILL)))
    sys.stdout.write('ready\n')
    sys.stdout.flush()
    while True:
        conn, _ = srv.accept()
        pid = os.fork()
        if pid == 0:
            srv.close()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                serve(conn)
            except OSError:
                pass
            finally:
                os._exit(0)
        conn.close()


if __name__ == '__main__':
    main()
