// Builds the one configuration object: defaults < settings given in code (createServer) < config
// file < environment < flags, so an operator can override what the server's script chose.
// Validated once at start-up; every process after that receives the resolved object.
import fs from 'node:fs';
import path from 'node:path';
import { parseHostPort, parseStore } from './store-url.js';
import { parseTrustedProxies } from './trusted-proxies.js';
import { parseSmallYoungGen } from '../heap-settings.js';
import { SETTINGS, LOG_LEVELS, flagName, envName, type Config, type SettingName, type SettingSpec } from './schema.js';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

function coerce(key: string, spec: SettingSpec, raw: unknown, source: string): unknown {
  const where = `${key} (from ${source})`;
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) throw new ConfigError(`${where}: ${JSON.stringify(raw)} is not a number`);
      if (spec.kind === 'int' && !Number.isInteger(n)) throw new ConfigError(`${where}: ${JSON.stringify(raw)} is not a whole number`);
      if (spec.min !== undefined && n < spec.min) throw new ConfigError(`${where}: ${n} is below the minimum ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw new ConfigError(`${where}: ${n} is above the maximum ${spec.max}`);
      return n;
    }
    case 'bool':
      if (raw === true || raw === 'true' || raw === '1') return true;
      if (raw === false || raw === 'false' || raw === '0') return false;
      throw new ConfigError(`${where}: ${JSON.stringify(raw)} is not true or false`);
    case 'level':
      if (typeof raw !== 'string' || !LOG_LEVELS.includes(raw)) {
        throw new ConfigError(`${where}: ${JSON.stringify(raw)} is not one of ${LOG_LEVELS.join(', ')}`);
      }
      return raw;
    case 'string':
      if (typeof raw !== 'string' || raw === '') throw new ConfigError(`${where}: must be a non-empty string`);
      if (spec.choices && !spec.choices.includes(raw)) throw new ConfigError(`${where}: ${JSON.stringify(raw)} is not one of ${spec.choices.join(', ')}`);
      return raw;
  }
}

const FLAG_TO_KEY = new Map<string, SettingName>(
  (Object.keys(SETTINGS) as SettingName[]).map((k) => [flagName(k), k]),
);

export interface LoadResult {
  config: Config;
  help: boolean;
}

/** Settings by name, as a server's script gives them to createServer (checked as a file's are). */
export type CodeSettings = Readonly<Partial<Pick<Config, SettingName & keyof Config>>>;

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, fromCode: CodeSettings = {}): LoadResult {
  const flags = new Map<SettingName, string>();
  let file = env.SHOAL_CONFIG_FILE;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)}`);
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (name !== 'config' && !FLAG_TO_KEY.has(name)) throw new ConfigError(`unknown flag --${name}`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new ConfigError(`flag --${name} needs a value`);
    }
    if (name === 'config') file = value;
    else flags.set(FLAG_TO_KEY.get(name)!, value);
  }

  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`config file ${file}: ${(err as Error).message}`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
      throw new ConfigError(`config file ${file}: must hold a JSON object`);
    }
    for (const k of Object.keys(fromFile)) {
      if (!(k in SETTINGS)) throw new ConfigError(`config file ${file}: unknown setting ${JSON.stringify(k)}`);
    }
  }

  for (const k of Object.keys(fromCode)) {
    if (!(k in SETTINGS)) throw new ConfigError(`createServer settings: unknown setting ${JSON.stringify(k)}`);
  }

  const out: Record<string, unknown> = {};
  for (const key of Object.keys(SETTINGS) as SettingName[]) {
    const spec: SettingSpec = SETTINGS[key];
    let value: unknown = spec.default;
    if (fromCode[key] !== undefined) value = coerce(key, spec, fromCode[key], 'createServer settings');
    if (key in fromFile) value = coerce(key, spec, fromFile[key], `file ${file}`);
    const e = env[envName(key)];
    if (e !== undefined && e !== '') value = coerce(key, spec, e, `env ${envName(key)}`);
    if (flags.has(key)) value = coerce(key, spec, flags.get(key), `flag --${flagName(key)}`);
    out[key] = value;
  }
  const config = out as unknown as Config;
  config.data = path.resolve(config.data);
  if (!config.console) config.console = path.join(config.data, 'console.sock');
  config.console = path.resolve(config.console);
  // Every process loads it; they share the primary's working directory, but an absolute path says so.
  if (config.games) config.games = path.resolve(config.games);
  let trusted: string[];
  try {
    trusted = parseTrustedProxies(config.trustedProxies);
  } catch (err) {
    throw new ConfigError(`trustedProxies: ${(err as Error).message}`);
  }
  try {
    parseSmallYoungGen(config.smallYoungGen);
  } catch (err) {
    throw new ConfigError(`smallYoungGen: ${(err as Error).message}`);
  }
  if (config.proxyProtocol && trusted.length === 0) throw new ConfigError('proxyProtocol needs trustedProxies: the load balancers allowed to send a PROXY header');
  try {
    const store = parseStore(config.store);
    if (store.kind === 'redis') {
      if (!config.advertise) {
        if (config.host === '0.0.0.0' || config.host === '::' || config.host === '') throw new Error('--advertise HOST:PORT is needed with --store redis when --host is a wildcard address: other hosts send this host\'s players there');
        config.advertise = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
      }
      parseHostPort(config.advertise);
      if (!config.hostId) config.hostId = config.advertise;
      if (!/^[\x21-\x7e]{1,100}$/.test(config.hostId)) throw new Error(`--host-id ${JSON.stringify(config.hostId)} must be 1..100 printable characters without spaces`);
    }
  } catch (err) {
    throw new ConfigError(`store: ${(err as Error).message}`);
  }
  return { config, help };
}

export function usage(): string {
  const lines = ['Usage: npm start -- [--flag value ...]   (installed: shoal [--flag value ...])', '', 'Settings (defaults < --config FILE < environment < flags):'];
  for (const key of Object.keys(SETTINGS) as SettingName[]) {
    const spec: SettingSpec = SETTINGS[key];
    const def = key === 'console' ? '<data>/console.sock' : String(spec.default);
    lines.push(`  --${flagName(key).padEnd(30)} ${envName(key).padEnd(34)} ${spec.help} [${def}]`);
  }
  lines.push(`  --${'config'.padEnd(30)} ${'SHOAL_CONFIG_FILE'.padEnd(34)} a JSON file of settings`);
  return lines.join('\n');
}
