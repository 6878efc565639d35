import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpPost } from './http-post';
import { pagerdutyReceiver } from './pagerduty.receiver';
import type { Notification } from './receiver';
import { resolveSecret, secretResolver } from './receiver-secrets';

// Classification of answers against a local HTTP server, and the receivers' request shapes.
let server: Server;
let url = '';
const seen: { path: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body });
      const status = Number((req.url ?? '').slice(1)) || 202;
      if (req.url === '/hang') return; // never answers
      res.writeHead(status).end('nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('httpPost', () => {
  it('delivers on 2xx, retries 429, 5xx and timeouts, fails other answers for good', async () => {
    expect(await httpPost(`${url}/204`, '{}', {}, 1000)).toMatchObject({ outcome: 'delivered', statusCode: 204 });
    expect(await httpPost(`${url}/429`, '{}', {}, 1000)).toMatchObject({ outcome: 'retry', statusCode: 429 });
    expect(await httpPost(`${url}/503`, '{}', {}, 1000)).toMatchObject({ outcome: 'retry', statusCode: 503 });
    expect(await httpPost(`${url}/400`, '{}', {}, 1000)).toMatchObject({ outcome: 'failed', statusCode: 400, detail: 'HTTP 400: nope' });
    expect(await httpPost(`${url}/hang`, '{}', {}, 200)).toMatchObject({ outcome: 'retry', detail: 'no answer within 200 ms' });
    expect(await httpPost('http://127.0.0.1:1/', '{}', {}, 1000)).toMatchObject({ outcome: 'retry' });
  });
});

describe('PagerDuty receiver', () => {
  it('sends trigger with a payload and acknowledge/resolve with the incident id as dedup_key', async () => {
    process.env.PD_TEST_KEY = 'routing-key-1';
    const receiver = pagerdutyReceiver('pd', { type: 'pagerduty', url: `${url}/202`, routingKey: { env: 'PD_TEST_KEY' } }, secretResolver('pd'));
    const base: Notification = {
      idempotencyKey: 'k',
      kind: 'notify',
      state: 'triggered',
      incident: { id: 'inc-1', title: 'spoofing on XLON', severity: 'CRITICAL', type: 'SPOOFING', labels: { venue: 'XLON' }, assignee: null, escalationLevel: 0, createdAt: '2026-03-02T14:30:00Z', resolvedAt: null },
      alerts: [],
    };
    seen.length = 0;
    await receiver.send(base, 1000);
    await receiver.send({ ...base, state: 'resolved' }, 1000);
    const [trigger, resolve] = seen.map((s) => JSON.parse(s.body));
    expect(trigger).toEqual({
      routing_key: 'routing-key-1',
      event_action: 'trigger',
      dedup_key: 'inc-1',
      payload: expect.objectContaining({ summary: '[CRITICAL] spoofing on XLON', source: 'vigil-alerter', severity: 'critical', component: 'XLON' }),
    });
    expect(resolve).toEqual({ routing_key: 'routing-key-1', event_action: 'resolve', dedup_key: 'inc-1' });
  });
});

describe('receiver secrets', () => {
  it('name the missing variable or file, never a value', () => {
    expect(() => resolveSecret({ env: 'ALERTER_NOT_SET_ANYWHERE' }, 'pd', {})).toThrow('receiver pd: environment variable ALERTER_NOT_SET_ANYWHERE is not set');
    expect(() => resolveSecret({ file: '/nonexistent/secret' }, 'slack')).toThrow('receiver slack: cannot read secret file /nonexistent/secret: ENOENT');
    expect(resolveSecret({ env: 'K' }, 'pd', { K: ' v \n' })).toBe('v');
    expect(() => secretResolver('pd')({ vault: 'webhook/alerter/pd#routing_key' })).toThrow('receiver pd: vault secret webhook/alerter/pd was not loaded');
  });

  it('read a vault field when used, so a rotated value is the one sent', () => {
    let current = 'v1';
    const lookup = (path: string, field: string) => {
      if (path !== 'webhook/alerter/pd' || field !== 'routing_key') throw new Error(`vault secret ${path}: no field ${field}`);
      return current;
    };
    const value = secretResolver('pd', lookup)({ vault: 'webhook/alerter/pd#routing_key' });
    current = 'v2';
    expect(value()).toBe('v2');
    expect(() => secretResolver('pd', lookup)({ vault: 'webhook/alerter/pd#token' })).toThrow('vault secret webhook/alerter/pd: no field token');
  });
});
