// The floor of one more Node.js hop, for bench/auth-gateway/proxy.run.ts: an HTTP server that
// forwards every request to the upstream with undici (same pool settings as the gateway) and
// streams the answer back, with no authentication, policy, audit or rate limit. Prints its
// port on the first line.
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

const upstream = new Pool(process.argv[2], { connections: 128, keepAliveTimeout: 10_000 });
const server = createServer(async (req, res) => {
  try {
    const answer = await upstream.request({ method: req.method, path: req.url, headers: { authorization: req.headers.authorization ?? '' } });
    res.statusCode = answer.statusCode;
    for (const [name, value] of Object.entries(answer.headers)) if (name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding') res.setHeader(name, value);
    await pipeline(answer.body, res);
  } catch {
    res.statusCode = 502;
    res.end();
  }
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
