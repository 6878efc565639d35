// The trivial upstream of bench/auth-gateway/proxy.run.ts: 200 and a small JSON body for any
// request. Prints its port on the first line.
import { createServer } from 'node:http';

const body = JSON.stringify({ ok: true });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
