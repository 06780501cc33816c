// Start step 1: the settings. Command line (and defaults) checked once, and with --auth jwt the key
// files read once, so a bad setting stops the server with a clear line before anything starts.
import { loadConfig, usage, ConfigError, type CodeSettings } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { AuthConfigError, loadKeys } from '../../auth/keys.js';

/** The settings to run with; exits (2) with one line on a bad setting, (0) after --help. */
export async function loadSettings(argv: readonly string[], fromCode: CodeSettings = {}): Promise<Config> {
  let config: Config;
  try {
    const r = loadConfig(argv, process.env, fromCode);
    if (r.help) {
      console.log(usage());
      process.exit(0);
    }
    config = r.config;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`shoal: ${err.message}\n(run with --help for the settings)`);
      process.exit(2);
    }
    throw err;
  }
  if (config.auth === 'jwt') {
    // Checked once here, so a bad key file stops the server before any player can be refused by it.
    try {
      await loadKeys(config);
    } catch (err) {
      if (!(err instanceof AuthConfigError)) throw err;
      console.error(`shoal: ${err.message}`);
      process.exit(2);
    }
  }
  return config;
}
