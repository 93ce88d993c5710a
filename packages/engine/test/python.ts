// Finds a Python with PyTorch for the reference tests: DATARUS_PYTHON, else the
// system interpreter (Debian's python3-torch, installed by scripts/setup.sh).
import { spawnSync } from 'node:child_process';

export function torchPython(): string {
  const candidates = [process.env.DATARUS_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean) as string[];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  throw new Error('no Python with torch found: run `bash scripts/setup.sh` (installs python3-torch) or set DATARUS_PYTHON');
}

export function runPython(script: string, args: string[]): void {
  const r = spawnSync(torchPython(), [script, ...args], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${script} failed:\n${r.stderr}`);
}
