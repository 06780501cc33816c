// The --store setting and what it brings along (--advertise, --host-id): `file` by default; a
// redis:// URL selects Redis, with this host's advertised address defaulting to --host:--port
// when --host is one address; anything else is one clear line (exit code 2 at start).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config/load.js';

const load = (...args: string[]) => loadConfig(args, {}).config;
const refusal = (...args: string[]) => {
  try {
    load(...args);
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('--store', () => {
  it('is the embedded file store unless a Redis URL is given', () => {
    expect(load().store).toBe('file');
    expect(loadConfig([], { SHOAL_STORE: 'redis://127.0.0.1:6390/2', SHOAL_ADVERTISE: '127.0.0.2:8000' }).config).toMatchObject({
      store: 'redis://127.0.0.1:6390/2', advertise: '127.0.0.2:8000', hostId: '127.0.0.2:8000',
    });
  });

  it('advertises --host:--port by default when --host is one address, and names the host by it', () => {
    expect(load('--store', 'redis://127.0.0.1:6390', '--host', '127.0.0.3', '--port', '8100')).toMatchObject({ advertise: '127.0.0.3:8100', hostId: '127.0.0.3:8100' });
    expect(load('--store', 'redis://127.0.0.1:6390', '--host', '127.0.0.3', '--host-id', 'eu-1')).toMatchObject({ hostId: 'eu-1' });
  });

  it('refuses a bad URL, a wildcard --host without --advertise, and a bad --advertise, in one line each', () => {
    expect(refusal('--store', 'mysql://x')).toMatch(/^store: .*only redis:\/\/ URLs/);
    expect(refusal('--store', 'redis://127.0.0.1:6390/99')).toMatch(/^store: .*database must be a number 0..15/);
    expect(refusal('--store', 'nonsense')).toMatch(/^store: "nonsense" is neither file nor a redis/);
    expect(refusal('--store', 'redis://127.0.0.1:6390')).toMatch(/^store: --advertise HOST:PORT is needed/);
    expect(refusal('--store', 'redis://127.0.0.1:6390', '--advertise', 'nohostport')).toMatch(/^store: "nohostport" is not HOST:PORT/);
    expect(refusal('--store', 'redis://127.0.0.1:6390', '--host', '127.0.0.2', '--host-id', 'has space')).toMatch(/^store: --host-id/);
    for (const m of [refusal('--store', 'mysql://x'), refusal('--store', 'redis://127.0.0.1:6390')]) expect(m).not.toContain('\n');
  });
});
