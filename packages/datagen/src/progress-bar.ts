// A one-line progress bar for stderr: redrawn in place on a TTY, otherwise a line
// at every 10% so logs stay short.
export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

export function progressBar(total: number, sink: ProgressSink, label = '') {
  const width = 30;
  let lastDecile = -1;
  let lastDraw = 0;
  const draw = (done: number) => {
    const frac = total === 0 ? 1 : done / total;
    const filled = Math.round(frac * width);
    return `${label}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${(frac * 100).toFixed(0)}%`;
  };
  return {
    tick(done: number) {
      if (sink.isTTY) {
        const now = Date.now();
        if (done === total || now - lastDraw > 50) {
          sink.write(`\r${draw(done)}`);
          lastDraw = now;
        }
      } else {
        const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
        if (decile !== lastDecile) {
          sink.write(`${draw(done)}\n`);
          lastDecile = decile;
        }
      }
    },
    end() {
      if (sink.isTTY) sink.write('\n');
    },
  };
}
