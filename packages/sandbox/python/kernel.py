"""The notebook kernel that runs inside the sandbox (see src/kernel-process.ts).

One process per episode. It runs each code cell with exec() in one persistent
globals dict, so variables and imports carry over between cells, like a Jupyter
kernel. Unlike Jupyter, there is no ZeroMQ: the host talks to it over pipes.

  argv[1]   JSON config: limits (applied here with setrlimit before any user code),
            output cap, modules to preload.
  fd 0      requests from the host: 4-byte big-endian length, then UTF-8 JSON
            {"op": "setup", "nonce", "files": [{name, content}]} once, then
            {"op": "run", "nonce", "code"} per cell.
  fd 1, 2   both go to the host's output pipe, so stdout and stderr (of Python,
            of C extensions and of subprocesses) arrive interleaved as printed.
            After each request the kernel writes, on the same pipe, the marker
            NUL "DATARUS:" nonce ":" status-JSON NUL. The nonce is fresh per
            request, so printed text cannot end a cell by accident.

The kernel keeps private duplicates of its pipes, so a cell that closes or
redirects fd 0/1/2 does not break the protocol. As in a notebook, a cell whose
last statement is an expression prints its repr. At the end of each cell every
other process in the sandbox's PID namespace is killed: nothing outlives its cell.
"""
import ast
import errno
import json
import linecache
import os
import resource
import signal
import sys
import traceback

CONFIG = json.loads(sys.argv[1])
KERNEL_PID = os.getpid()
CELL = "<cell>"


def kernel_code_file():
    return kernel_code_file.__code__.co_filename


def apply_limits():
    """Hard limits too, so the cell cannot raise them back (it holds no
    capabilities). CPU: SIGXCPU (fatal) at the soft limit, SIGKILL a second later."""
    mb = 1 << 20
    cpu = CONFIG["cpuSeconds"]
    limits = [
        (resource.RLIMIT_AS, CONFIG["memoryMb"] * mb, CONFIG["memoryMb"] * mb),
        (resource.RLIMIT_NPROC, CONFIG["maxProcesses"], CONFIG["maxProcesses"]),
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_NOFILE, CONFIG["maxOpenFiles"], CONFIG["maxOpenFiles"]),
        (resource.RLIMIT_FSIZE, CONFIG["diskMb"] * mb, CONFIG["diskMb"] * mb),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    for which, soft, hard in limits:
        resource.setrlimit(which, (soft, hard))


def read_exact(fd, n):
    parts = []
    while n > 0:
        chunk = os.read(fd, n)
        if not chunk:
            raise EOFError
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def read_request(fd):
    size = int.from_bytes(read_exact(fd, 4), "big")
    return json.loads(read_exact(fd, size).decode("utf-8"))


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


class CappedWriter:
    """sys.stdout / sys.stderr of a cell: writes straight to the output pipe, and
    drops text past the shared budget (cap + 1 characters, so the host sees that
    the cap was passed) without a system call, so a print loop stays cheap."""

    def __init__(self, fd, budget, fileno):
        self._fd = fd
        self._budget = budget
        self._fileno = fileno
        self.encoding = "utf-8"
        self.errors = "backslashreplace"

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        left = self._budget["left"]
        if left <= 0:
            self._budget["dropped"] += len(s)
            return len(s)
        part = s[:left]
        self._budget["left"] -= len(part)
        self._budget["dropped"] += len(s) - len(part)
        write_all(self._fd, part.encode("utf-8", "backslashreplace"))
        return len(s)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def fileno(self):
        return self._fileno

    def isatty(self):
        return False

    def writable(self):
        return True

    def readable(self):
        return False

    @property
    def closed(self):
        return False


def user_traceback(exc):
    """The exception as Python prints it, without the kernel's own frames."""
    tb = exc.__traceback__
    mine = kernel_code_file()
    while tb is not None and tb.tb_frame.f_code.co_filename == mine:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def limit_of(exc):
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, OSError) and exc.errno == errno.EAGAIN:
        return "processes"
    if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
        return "processes"
    return None


def run_cell(code, namespace, out_fd):
    budget = {"left": CONFIG["maxOutputChars"] + 1, "dropped": 0}
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    sys.stdout = CappedWriter(out_fd, budget, 1)
    sys.stderr = CappedWriter(out_fd, budget, 2)
    status = {"ok": True}
    try:
        tree = ast.parse(code, filename=CELL, mode="exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        linecache.cache[CELL] = (len(code), None, code.splitlines(True), CELL)
        exec(compile(tree, CELL, "exec"), namespace)
        if last is not None:
            value = eval(compile(last, CELL, "eval"), namespace)
            if value is not None:
                namespace["_"] = value
                print(repr(value))
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt end the cell, not the kernel
        if os.getpid() != KERNEL_PID:
            os._exit(1)
        text = user_traceback(exc)
        try:
            sys.stderr.write(text)
        except BaseException:  # noqa: BLE001 - the cell may have replaced sys.stderr with anything
            budget["left"] = 0
        lines = [line for line in text.strip().splitlines() if line.strip()]
        status = {"ok": False, "error": (lines[-1] if lines else type(exc).__name__)[:500], "limit": limit_of(exc)}
    if os.getpid() != KERNEL_PID:
        # A process the cell forked came back here: it must not act as the kernel.
        os._exit(0)
    status["dropped"] = budget["dropped"]
    return status


def end_other_processes():
    """Kills every process of the sandbox but its init (PID 1) and this kernel.
    kill(-1) reaches only the caller's PID namespace; the PID check makes sure
    this kernel runs as the first child of bwrap's init there."""
    if KERNEL_PID != 2:
        return
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            # Children are still dying from the SIGKILL above; wait for them.
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                return


def reply(out_fd, nonce, status):
    body = json.dumps(status, ensure_ascii=True).encode("ascii")
    write_all(out_fd, b"\0DATARUS:" + nonce.encode("ascii") + b":" + body + b"\0")


def write_files(files):
    for f in files:
        name = f["name"]
        if "/" in name or name in ("", ".", ".."):
            raise ValueError(f"bad file name {name!r}")
        with open(name, "w", encoding="utf-8") as handle:
            handle.write(f["content"])


def main():
    apply_limits()
    # Private duplicates of the protocol pipes, out of the cell's way.
    req_fd = os.dup(0)
    out_fd = os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(out_fd, 2)
    for module in CONFIG.get("preload", []):
        __import__(module)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    while True:
        try:
            request = read_request(req_fd)
        except (EOFError, OSError, ValueError):
            os._exit(0)
        nonce = request["nonce"]
        if request["op"] == "setup":
            write_files(request.get("files", []))
            reply(out_fd, nonce, {"ok": True, "python": sys.version.split()[0]})
            continue
        status = run_cell(request["code"], namespace, out_fd)
        end_other_processes()
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        reply(out_fd, nonce, status)


if __name__ == "__main__":
    main()
