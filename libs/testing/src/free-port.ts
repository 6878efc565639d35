import { createServer, type AddressInfo } from 'node:net';

/**
 * A loopback port that was free a moment ago (the OS picked it for a listener that is then
 * closed), for a server a test starts as a separate process and must name a port for.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
