// Prints what a native build depends on besides its sources: platform, compiler,
// libtorch and Node-API versions. Nx hashes this output (nx.json namedInputs.native),
// so a toolchain change never reuses a stale binary.
import { execSync } from 'node:child_process';

const run = (cmd) => {
  try {
    return execSync(cmd, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'none';
  }
};
const torch = [
  process.env.LIBTORCH ?? '',
  process.env.Torch_DIR ?? '',
  run('python3 -c "import torch; print(torch.__version__, torch.version.cuda)"'),
  run("dpkg-query -W -f='${Version}' libtorch-dev"),
].join('|');
console.log([process.platform, process.arch, process.versions.napi, run('c++ --version | head -1'), torch].join(' / '));
