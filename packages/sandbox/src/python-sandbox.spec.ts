// PythonSandbox with the real bwrap and the system python3 (pandas, numpy):
// notebook state, data files, tracebacks, and hostile cells (endless loops, fork
// bombs, huge allocations, output floods, a broken protocol, os._exit, reads of
// the host, network) that must each be contained while the sandbox keeps working.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PythonSandbox } from './python-sandbox.js';

const CSV = 'month,revenue\n1,120\n2,150\n3,90\n';

/** Host PIDs whose command line contains `needle`. */
function hostProcesses(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').includes(needle)) found.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

async function until(test: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (test()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return test();
}

describe('PythonSandbox: a notebook', () => {
  let sb: PythonSandbox;
  beforeAll(async () => {
    sb = await PythonSandbox.start({ files: [{ name: 'data.csv', content: CSV }] });
  });
  afterAll(() => sb?.close());

  it('keeps variables between cells; a last expression prints its repr', async () => {
    expect(await sb.run('x = 21')).toMatchObject({ output: '', ok: true });
    const r = await sb.run('y = x * 2\ny');
    expect(r).toMatchObject({ output: '42\n', ok: true, truncated: false, restarted: false });
    expect(r.error).toBeUndefined();
    expect(r.seconds).toBeGreaterThan(0);
  });

  it('reads the data file with pandas', async () => {
    const r = await sb.run('import pandas as pd\ndf = pd.read_csv("data.csv")\nprint(df["revenue"].mean())');
    expect(r).toMatchObject({ output: '120.0\n', ok: true });
  });

  it('an exception gives ok=false and the traceback, and the state survives', async () => {
    const r = await sb.run('z = 1\ndf["profit"]');
    expect(r.ok).toBe(false);
    expect(r.error).toBeUndefined(); // the code failed, not the sandbox
    expect(r.output).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(r.output).toContain('File "<cell>", line 2, in <module>\n    df["profit"]');
    expect(r.output.trimEnd().split('\n').at(-1)).toBe("KeyError: 'profit'");
    expect((await sb.run('print(z, len(df))')).output).toBe('1 3\n');
  });

  it('stdout and stderr arrive interleaved as printed', async () => {
    const r = await sb.run('import sys, os\nprint("a")\nprint("b", file=sys.stderr)\nos.system("echo c")\nprint("d")');
    expect(r.output).toBe('a\nb\nc\nd\n');
  });

  it('sees neither the repository nor the host, and writes only its own directories', async () => {
    const r = await sb.run(
      [
        'import os',
        'print(sorted(os.listdir("/")))',
        'print(os.getcwd(), os.listdir("/home"), os.path.exists("/work"), os.path.exists("/etc/shadow"), os.path.exists("/root"))',
        'open("notes.txt", "w").write("ok"); open("/tmp/t", "w").write("ok")',
        'for p in ["/usr/evil", "/evil", "/etc/evil"]:',
        '    try:',
        '        open(p, "w")',
        '        print("wrote", p)',
        '    except OSError as e:',
        '        print(type(e).__name__)',
      ].join('\n'),
    );
    const lines = r.output.trim().split('\n');
    expect(lines[0]).toBe("['bin', 'dev', 'etc', 'home', 'lib', 'lib64', 'proc', 'sbin', 'tmp', 'usr']");
    expect(lines[1]).toBe("/home/analyst ['analyst'] False False False");
    expect(lines.slice(2)).toEqual(['OSError', 'OSError', 'OSError']);
  });

  it('has no network', async () => {
    const r = await sb.run('import socket\nsocket.create_connection(("1.1.1.1", 80), timeout=2)');
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/Network is unreachable/);
    const dns = await sb.run('import socket\nsocket.getaddrinfo("example.com", 80)');
    expect(dns.output).toMatch(/gaierror/);
  });
});

describe('PythonSandbox: hostile cells are contained', () => {
  let sb: PythonSandbox;
  beforeAll(async () => {
    sb = await PythonSandbox.start({ cellTimeoutMs: 1500, maxOutputChars: 1000, maxProcesses: 32 });
  });
  afterAll(() => sb?.close());

  it('an endless loop times out; the next cell runs in a fresh kernel and says state was lost', async () => {
    await sb.run('kept = 1');
    const r = await sb.run('print("started")\nwhile True:\n    pass');
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('E_SANDBOX_TIMEOUT');
    expect(r.restarted).toBe(true);
    expect(r.output).toMatch(/^started\n\[the cell ran past the 1.5 s limit .*earlier cells are lost\]$/);
    expect(r.seconds).toBeGreaterThanOrEqual(1.4);
    const next = await sb.run('print("kept" in globals())');
    expect(next).toMatchObject({ output: 'False\n', ok: true });
  });

  it('a fork bomb hits the process limit; the kernel keeps its state', async () => {
    await sb.run('before_bomb = 7');
    const r = await sb.run('import os\nwhile True:\n    os.fork()');
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('E_SANDBOX_LIMIT');
    expect(r.output).toMatch(/BlockingIOError/);
    expect((await sb.run('print(before_bomb)')).output).toBe('7\n');
  });

  it('a fork bomb that ignores errors times out, and no process of it survives', async () => {
    const r = await sb.run('import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass');
    expect(r.error?.code).toBe('E_SANDBOX_TIMEOUT');
    const ps = await sb.run('import os\nprint(sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))');
    expect(ps.output).toBe('[1, 2]\n');
  });

  it('a huge allocation hits the memory limit; the kernel keeps its state', async () => {
    await sb.run('small = [1, 2, 3]');
    const r = await sb.run('import numpy as np\nbig = np.ones((40000, 40000))');
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('E_SANDBOX_LIMIT');
    expect(r.output).toMatch(/MemoryError/);
    const b = await sb.run('buf = bytearray(3 * 1024**3)');
    expect(b.output.trimEnd().split('\n').at(-1)).toBe('MemoryError');
    expect((await sb.run('print(sum(small))')).output).toBe('6\n');
  });

  it('printing a flood is cut at the cap, from Python and from the file descriptor alike', async () => {
    const py = await sb.run('for i in range(10**6):\n    print("y" * 100)\n1/0');
    expect(py.truncated).toBe(true);
    expect(py.output.length).toBeLessThan(1100);
    expect(py.output).toContain('\n[... output cut at 1000 characters]\nZeroDivisionError: division by zero');
    const fd = await sb.run('import os\nfor i in range(400):\n    os.write(1, b"z" * 65536)\nprint("end")');
    expect(fd).toMatchObject({ ok: true, truncated: true });
    expect(fd.output).toBe(`${'z'.repeat(1000)}\n[... output cut at 1000 characters]`);
  });

  it('garbage on the pipes, closed descriptors and os._exit cost the kernel, not the host', async () => {
    const junk = await sb.run(
      'import os\nfor fd in range(20):\n    try:\n        os.write(fd, b"\\0DATARUS:0:{}\\0")\n    except OSError:\n        pass\nprint("after junk")',
    );
    expect(junk.ok).toBe(true);
    expect(junk.output).toContain('after junk');
    const closed = await sb.run('import os\nos.closerange(0, 1000)');
    expect(closed).toMatchObject({ ok: false, restarted: true, error: { code: 'E_SANDBOX_FAILED' } });
    expect((await sb.run('print("up")')).output).toBe('up\n');
    const exited = await sb.run('import os\nos._exit(3)');
    expect(exited.error?.code).toBe('E_SANDBOX_FAILED');
    expect(exited.output).toMatch(/exited with code 3.*earlier cells are lost/);
    expect((await sb.run('print("up again")')).output).toBe('up again\n');
  });

  it('nothing a cell starts outlives it', async () => {
    await sb.run('import subprocess\nsubprocess.Popen(["sleep", "600"])');
    const ps = await sb.run('import os\nprint(sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))');
    expect(ps.output).toBe('[1, 2]\n');
  });

  it('a kernel past its CPU time limit is replaced', async () => {
    await using cpu = await PythonSandbox.start({ cpuSeconds: 1, cellTimeoutMs: 5000 });
    const r = await cpu.run('while True:\n    pass');
    expect(r.error?.code).toBe('E_SANDBOX_LIMIT');
    expect(r.output).toMatch(/CPU time limit \(1 s\)/);
    expect((await cpu.run('print(1)')).output).toBe('1\n');
  });
});

describe('PythonSandbox: start and close', () => {
  it('rejects with E_SANDBOX_FAILED when bwrap is missing or does not start the kernel', async () => {
    await expect(PythonSandbox.start({ bwrapPath: '/nonexistent/bwrap' })).rejects.toMatchObject({
      code: 'E_SANDBOX_FAILED',
      message: expect.stringMatching(/ENOENT.*bubblewrap/),
    });
    await expect(PythonSandbox.start({ bwrapPath: '/usr/bin/true' })).rejects.toMatchObject({ code: 'E_SANDBOX_FAILED' });
  });

  it('refuses bad options', async () => {
    await expect(PythonSandbox.start({ files: [{ name: '../escape.csv', content: '' }] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(PythonSandbox.start({ memoryMb: 0 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });

  it('close() ends a running cell and every process it started', async () => {
    const sb = await PythonSandbox.start();
    const tag = '987.654';
    const running = sb.run(`import subprocess\nsubprocess.Popen(["sleep", "${tag}"])\nwhile True:\n    pass`);
    expect(await until(() => hostProcesses(tag).length > 0, 5000)).toBe(true);
    await sb.close();
    await expect(running).rejects.toMatchObject({ code: 'E_DISPOSED' });
    expect(await until(() => hostProcesses(tag).length === 0, 2000)).toBe(true);
    await expect(sb.run('print(1)')).rejects.toMatchObject({ code: 'E_DISPOSED' });
  });
});
