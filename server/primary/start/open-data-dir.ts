// Start step 2: the data directory, made private to this user before any process writes to it.
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { DataDirError, secureDataDir } from '../data-dir.js';

/** Sets the umask the coordinator and workers inherit and tightens the data directory; exits (2) if unsafe. */
export function openDataDir(config: Config, log: Logger): void {
  // Everything Shoal creates is private to this user; the coordinator and workers inherit the umask.
  process.umask(0o077);
  try {
    const tightened = secureDataDir(config.data);
    if (tightened.length) log.warn({ code: 'DATA_DIR_TIGHTENED', tightened }, 'data directory was readable by other users; made private');
  } catch (err) {
    if (!(err instanceof DataDirError)) throw err;
    log.fatal({ code: 'DATA_DIR_UNSAFE', data: config.data }, err.message);
    console.error(`shoal: ${err.message}`);
    process.exit(2);
  }
}
