// Which part of a Shoal server this process is. Every process of a server runs the same entry
// script (the one that calls createServer, so the author's games load everywhere); the primary
// starts the others with their role as the first argument, where `ps` shows it to an operator.
// The role's settings come with it in the environment (SHOAL_CONFIG_JSON, written by the primary).

export type ProcessRole = 'primary' | 'worker' | 'coordinator' | 'deploy-check';

/** The argument the primary starts a worker, the coordinator or a deploy's pre-flight (deploy-check) with. */
export function roleArg(role: Exclude<ProcessRole, 'primary'>): string {
  return `--shoal-role=${role}`;
}

/** This process's role, from its first argument (process.argv[2]): none given is the primary. */
export function roleOf(args: readonly string[]): ProcessRole {
  if (args[0] === roleArg('worker')) return 'worker';
  if (args[0] === roleArg('coordinator')) return 'coordinator';
  if (args[0] === roleArg('deploy-check')) return 'deploy-check';
  return 'primary';
}
