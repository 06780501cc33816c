// `auth reload`: re-reads the key files of --auth jwt (key rotation) in every worker. The files
// are checked here first, so a broken file is refused and every worker keeps the keys it has.
import type { Command } from '../context.js';
import { AuthConfigError, loadKeys } from '../../auth/keys.js';
import { parseArgs } from './args.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

export const auth: Command = {
  name: 'auth',
  usage: 'auth reload',
  summary: 're-read the JWT key files (--jwt-public-key, --jwt-jwks) in every worker: key rotation without a restart',
  details: 'A file that does not load is refused (BAD_KEYS) and every worker keeps its keys. Secrets (--jwt-secret) are settings: they change with a restart.',
  async run(ctx, args) {
    const p = parseArgs('auth', this.usage, args, { min: 1, max: 1 });
    if (p.pos[0] !== 'reload') throw new CodedError('BAD_ARGS', `usage: ${this.usage}`);
    if (ctx.host.config.auth !== 'jwt') throw new CodedError('AUTH_OFF', 'the server runs with --auth none');
    let keys: number;
    try {
      keys = (await loadKeys(ctx.host.config)).length;
    } catch (err) {
      if (err instanceof AuthConfigError) throw new CodedError('BAD_KEYS', err.message);
      throw err;
    }
    const workers = await ctx.rpc.all('auth.reload');
    const failed = workers.filter((w) => !w.ok).map((w) => w.worker);
    return { keys, workers: workers.filter((w) => w.ok).length, ...(failed.length ? { failedWorkers: failed } : {}) };
  },
};
