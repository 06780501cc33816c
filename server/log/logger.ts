// One pino root per process, one child per role. Pretty output only when a person is watching.
import pino, { type Logger } from 'pino';

export type Role = 'primary' | 'worker' | 'coordinator' | 'console';

export function createLogger(role: Role, level: string, extra: Record<string, unknown> = {}): Logger {
  const pretty = process.stdout.isTTY && !process.env.SHOAL_LOG_JSON;
  const root = pretty
    ? pino({ level }, pino.transport({ target: 'pino-pretty', options: { colorize: true, ignore: 'hostname' } }))
    : pino({ level, base: undefined });
  return root.child({ role, pid: process.pid, ...extra });
}
