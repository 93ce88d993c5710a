// The bubblewrap command line of a sandbox: a root made of read-only system
// directories (/usr and its /bin, /lib, /lib64, /sbin links, two files of /etc
// that shared libraries need), fresh tmpfs for the working directory and /tmp,
// every namespace unshared (no network, own PIDs), a clean environment and an
// unprivileged uid. Nothing of the host's /home, /root, /work or /etc beyond that
// is mounted. Pure: the host's directory layout is passed in.
import { SANDBOX_WORKDIR, type ResolvedSandboxOptions } from './sandbox-options.js';

/** How a top-level path looks on the host: a symlink (to `target`), a directory, or absent. */
export type HostEntry = { kind: 'symlink'; target: string } | { kind: 'dir' } | { kind: 'absent' };

/** Top-level paths mirrored into the sandbox as the host has them (merged-/usr or not). */
export const ROOT_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64'] as const;
/** Files of /etc that the dynamic linker and Debian's BLAS alternatives need. */
export const ETC_PATHS = ['/etc/ld.so.cache', '/etc/alternatives'] as const;

/** Environment of the kernel: nothing of the host's. One BLAS thread keeps the address space small. */
export const SANDBOX_ENV: Record<string, string> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: SANDBOX_WORKDIR,
  USER: 'analyst',
  LOGNAME: 'analyst',
  LANG: 'C.UTF-8',
  TMPDIR: '/tmp',
  OPENBLAS_NUM_THREADS: '1',
  OMP_NUM_THREADS: '1',
  MKL_NUM_THREADS: '1',
  MPLBACKEND: 'Agg',
  MPLCONFIGDIR: '/tmp',
};

/** uid/gid of the analyst inside the sandbox's user namespace. */
export const SANDBOX_UID = 1000;

export function bwrapArgs(o: ResolvedSandboxOptions, host: (path: string) => HostEntry, kernelSource: string, config: string): string[] {
  const a: string[] = ['--ro-bind', '/usr', '/usr'];
  for (const p of ROOT_LINKS) {
    const e = host(p);
    if (e.kind === 'symlink') a.push('--symlink', e.target, p);
    else if (e.kind === 'dir') a.push('--ro-bind', p, p);
  }
  for (const p of ETC_PATHS) a.push('--ro-bind-try', p, p);
  const bytes = String(o.diskMb * 1024 * 1024);
  a.push('--proc', '/proc', '--dev', '/dev');
  a.push('--size', bytes, '--tmpfs', '/tmp');
  a.push('--size', bytes, '--tmpfs', SANDBOX_WORKDIR, '--chdir', SANDBOX_WORKDIR);
  a.push('--remount-ro', '/'); // the root bwrap built; the two tmpfs above stay writable
  a.push('--unshare-all', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--hostname', 'sandbox');
  a.push('--die-with-parent', '--new-session', '--clearenv');
  for (const [k, v] of Object.entries(SANDBOX_ENV)) a.push('--setenv', k, v);
  // -I: no user site, no PYTHON* variables; -B: no .pyc writes; -c: the kernel's
  // source, so no host path has to be mounted for it.
  a.push('--', o.pythonPath, '-I', '-B', '-c', kernelSource, config);
  return a;
}
