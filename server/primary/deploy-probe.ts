// Starts and talks to a deploy's pre-flight process (worker/deploy-probe/main.ts): the build on
// disk, forked beside the running server with the workers' settings, so the games it loads are
// the ones the replacement workers will load. What it cannot do — load its games, answer in time —
// is a DEPLOY_CHECK_FAILED naming why (its last line on stderr, or its exit), and it is killed.
import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import type { DeployProbe } from '../console/host.js';
import { isMessage } from '../ipc/primary-worker.js';
import type { PrimaryToProbe, ProbeGame, ProbeToPrimary } from '../ipc/primary-probe.js';
import { CodedError } from '../../shared/errors/coded-error.js';
import { RequestReply } from '../../shared/ipc/request-reply.js';

export interface ProbeSpawn {
  script: string;
  args: readonly string[];
  env: Record<string, string>;
  log: Logger;
}

/** The stderr kept to say why the process failed. */
const STDERR_KEEP = 4096;

export function startDeployProbe(o: ProbeSpawn, timeoutMs: number): Promise<DeployProbe> {
  const child = fork(o.script, [...o.args], {
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    process.stderr.write(d);
    stderr = (stderr + d.toString()).slice(-STDERR_KEEP);
  });
  const why = (fallback: string) => {
    const line = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ')).pop();
    return line ? `${fallback}: ${line}` : fallback;
  };
  const replies = new RequestReply();
  let exited = false;
  child.on('error', () => child.kill('SIGKILL'));
  o.log.info({ probePid: child.pid }, 'deploy: pre-flight process of the new build starting');

  return new Promise<DeployProbe>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new CodedError('DEPLOY_CHECK_FAILED', why(`the new build did not load its games within ${timeoutMs} ms`)));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      const msg = why(`the new build's pre-flight process exited (${signal ?? `code ${code}`})`);
      replies.failAll(() => new CodedError('DEPLOY_CHECK_FAILED', msg));
      reject(new CodedError('DEPLOY_CHECK_FAILED', msg));
    });
    child.on('message', (m: unknown) => {
      if (!isMessage<ProbeToPrimary>(m)) return;
      if (m.t === 'probe.failed') {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new CodedError('DEPLOY_CHECK_FAILED', `the new build cannot load its games: ${m.message}`));
      } else if (m.t === 'probe.ready') {
        clearTimeout(timer);
        resolve(handle(child, m.games, replies, () => exited));
      } else if (m.t === 'probe.result') {
        replies.resolve(m.id, m.rows);
      }
    });
  });
}

function handle(child: ChildProcess, games: ProbeGame[], replies: RequestReply, exited: () => boolean): DeployProbe {
  return {
    pid: child.pid ?? null,
    games,
    check: (rooms, timeoutMs) =>
      replies.request(
        (id) => {
          if (exited()) throw new CodedError('DEPLOY_CHECK_FAILED', "the new build's pre-flight process is gone");
          const msg: PrimaryToProbe = { t: 'probe.check', id, rooms };
          child.send(msg, (err) => err && replies.fail(id, new CodedError('DEPLOY_CHECK_FAILED', `cannot reach the pre-flight process: ${err.message}`)));
        },
        timeoutMs,
        { code: 'DEPLOY_CHECK_FAILED', message: `the new build did not read ${rooms.length} rooms' snapshots within ${timeoutMs} ms` },
      ),
    close: () => {
      if (!exited()) child.kill('SIGTERM');
    },
  };
}
