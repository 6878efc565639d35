/** A one-line progress display on stderr, only when stderr is a terminal (logs and CI stay clean). */
export function progressBar(stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let total: number | undefined;
  let last = 0;
  const enabled = Boolean(stream.isTTY);
  const draw = (done: number) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = Math.round(done / seconds);
    let bar = '';
    if (total) {
      const share = Math.min(done / total, 1);
      const width = 30;
      bar = `[${'#'.repeat(Math.round(share * width)).padEnd(width, ' ')}] ${(share * 100).toFixed(1)}% `;
    }
    stream.write(`\r${bar}${done.toLocaleString('en')}${total ? `/${total.toLocaleString('en')}` : ''} entries, ${rate.toLocaleString('en')}/s   `);
  };
  return {
    start(expected: number | undefined) {
      total = expected;
    },
    update(done: number) {
      if (!enabled || Date.now() - last < 200) return;
      last = Date.now();
      draw(done);
    },
    end(done: number) {
      if (!enabled) return;
      draw(done);
      stream.write('\n');
    },
  };
}
