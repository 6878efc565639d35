import { freePort, registerSecretForLeakScan } from '@vigil/testing';
import { complianceAlertsContract, exampleComplianceAlert } from '@vigil/contracts';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { AlerterHarness, until } from './test-support/alerter-harness';

// The email receiver through the whole alerter (Kafka → incident → delivery worker), sending
// to a real SMTP server: smtp-server, the SMTP server implementation of nodemailer's authors,
// in-process on a free loopback port, with AUTH required and scripted RCPT answers.

const SMTP_PASSWORD = 'smtp-password-for-tests';
const received: { rcpt: string[]; mail: ParsedMail }[] = [];
const rcptAttempts: string[] = [];
let smtp: SMTPServer;
let harness: AlerterHarness;

function smtpError(code: number, message: string) {
  return Object.assign(new Error(message), { responseCode: code });
}

const routing = (port: number, closedPort: number) => `
groupBy: [source, type, venue]
receivers:
  mail: { type: email, host: 127.0.0.1, port: ${port}, from: alerts@vigil.example, to: [oncall@desk.example, lead@desk.example], username: { env: ALERTER_SMTP_USER }, password: { env: ALERTER_SMTP_PASSWORD } }
  mail-flaky: { type: email, host: 127.0.0.1, port: ${port}, from: alerts@vigil.example, to: [flaky@desk.example], username: { env: ALERTER_SMTP_USER }, password: { env: ALERTER_SMTP_PASSWORD } }
  mail-reject: { type: email, host: 127.0.0.1, port: ${port}, from: alerts@vigil.example, to: [nobody@desk.example], username: { env: ALERTER_SMTP_USER }, password: { env: ALERTER_SMTP_PASSWORD } }
  mail-down: { type: email, host: 127.0.0.1, port: ${closedPort}, from: alerts@vigil.example, to: [oncall@desk.example] }
routes:
  - { match: { type: SPOOFING }, receivers: [mail] }
  - { match: { type: WASH_TRADE }, receivers: [mail-flaky] }
  - { match: { type: LAYERING }, receivers: [mail-reject] }
  - { match: { type: QUOTE_STUFFING }, receivers: [mail-down] }
`;

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth: (auth, _session, callback) =>
      auth.username === 'vigil' && auth.password === SMTP_PASSWORD ? callback(null, { user: 'vigil' }) : callback(smtpError(535, 'authentication failed')),
    onRcptTo: (address, _session, callback) => {
      rcptAttempts.push(address.address);
      // flaky: greylisted twice (451), then accepted; nobody: no such mailbox (550).
      if (address.address === 'flaky@desk.example' && rcptAttempts.filter((a) => a === address.address).length <= 2) return callback(smtpError(451, 'greylisted, try again later'));
      if (address.address === 'nobody@desk.example') return callback(smtpError(550, 'no such mailbox'));
      callback();
    },
    onData: (stream, session, callback) => {
      simpleParser(stream).then(
        (mail) => {
          received.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  process.env.ALERTER_SMTP_USER = 'vigil';
  process.env.ALERTER_SMTP_PASSWORD = registerSecretForLeakScan(SMTP_PASSWORD, 'alerter SMTP password');
  harness = new AlerterHarness({ VIGIL_ALERTER_GROUP_WAIT: '200ms', VIGIL_ALERTER_POLL_INTERVAL: '100ms', VIGIL_ALERTER_RETRY_BASE: '100ms', VIGIL_ALERTER_MAX_ATTEMPTS: '4' });
  await harness.setUp(routing(port, await freePort()));
});

afterAll(async () => {
  await harness?.tearDown();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const incidentOf = async (fingerprint: string) =>
  until(`the incident of ${fingerprint}`, async () => {
    const { rows } = await harness.pool.query<{ incident_id: string | null }>('SELECT incident_id FROM alerter.alerts WHERE fingerprint = $1', [`compliance:${fingerprint}`]);
    return rows[0]?.incident_id ?? undefined;
  });
const settled = (incidentId: string, count: number) =>
  until(`${count} settled deliveries of ${incidentId}`, async () => {
    const rows = (await harness.pool.query<{ receiver: string; state: string; status: string; attempts: number; last_status_code: number | null; outcome: string }>('SELECT * FROM alerter.deliveries WHERE incident_id = $1 ORDER BY id', [incidentId])).rows;
    return rows.length === count && rows.every((r) => r.status === 'delivered' || r.status === 'failed') ? rows : undefined;
  });

describe('email receiver', () => {
  it('mails each incident state with its subject, body and headers, authenticated, threaded by incident', async () => {
    const alert = exampleComplianceAlert({ fingerprint: 'mail-fp-'.padEnd(64, 'e'), type: 'SPOOFING', severity: 'CRITICAL', venue: 'XLON' });
    await harness.producer.send(complianceAlertsContract, [alert]);
    const id = await incidentOf(alert.fingerprint);
    const [triggered] = await settled(id, 1);
    expect(triggered).toMatchObject({ receiver: 'mail', status: 'delivered', attempts: 1, last_status_code: 250 });
    expect((await harness.call(['sre'], 'POST', `/api/incidents/${id}/acknowledge`, { note: 'reading mail' })).status).toBe(200);
    await settled(id, 2);

    const mails = received.filter((r) => r.mail.headers.get('x-vigil-incident') === id);
    expect(mails.map((r) => r.rcpt)).toEqual([['oncall@desk.example', 'lead@desk.example'], ['oncall@desk.example', 'lead@desk.example']]);
    const [first, second] = mails.map((r) => r.mail) as [ParsedMail, ParsedMail];
    expect(first.subject).toBe(`[Vigil] TRIGGERED [CRITICAL] ${alert.summary}`);
    expect(first.from?.text).toBe('alerts@vigil.example');
    expect(first.messageId).toBe(`<${id}.mail.triggered@vigil.alerter>`);
    expect(first.references).toBe(`<${id}@vigil.alerter>`);
    expect(Object.fromEntries(['x-vigil-state', 'x-vigil-severity', 'x-vigil-idempotency-key'].map((h) => [h, first.headers.get(h)]))).toEqual({
      'x-vigil-state': 'triggered',
      'x-vigil-severity': 'CRITICAL',
      'x-vigil-idempotency-key': `${id}:mail:triggered`,
    });
    expect(first.text).toContain(`Incident ${id} is TRIGGERED.`);
    expect(first.text).toContain('  venue=XLON');
    expect(first.text).toContain(`  - ${alert.summary} (firing, seen 1x`);
    expect(second.subject).toBe(`[Vigil] ACKNOWLEDGED [CRITICAL] ${alert.summary}`);
    expect(second.references).toBe(`<${id}@vigil.alerter>`);
    expect(second.headers.get('x-vigil-state')).toBe('acknowledged');
  });

  it('retries on 4xx and on a refused connection, never on a 5xx permanent failure', async () => {
    const flaky = exampleComplianceAlert({ fingerprint: 'mail-flaky-'.padEnd(64, 'f'), type: 'WASH_TRADE', venue: 'XPAR' });
    const rejected = exampleComplianceAlert({ fingerprint: 'mail-reject-'.padEnd(64, 'g'), type: 'LAYERING', venue: 'XPAR' });
    const down = exampleComplianceAlert({ fingerprint: 'mail-down-'.padEnd(64, 'h'), type: 'QUOTE_STUFFING', venue: 'XPAR' });
    await harness.producer.send(complianceAlertsContract, [flaky, rejected, down]);

    const [greylisted] = await settled(await incidentOf(flaky.fingerprint), 1);
    expect(greylisted).toMatchObject({ receiver: 'mail-flaky', status: 'delivered', attempts: 3, last_status_code: 250 });
    expect(rcptAttempts.filter((a) => a === 'flaky@desk.example')).toHaveLength(3);
    expect(received.filter((r) => r.rcpt.includes('flaky@desk.example'))).toHaveLength(1);

    const [refused] = await settled(await incidentOf(down.fingerprint), 1);
    expect(refused).toMatchObject({ receiver: 'mail-down', status: 'failed', attempts: 4, last_status_code: null, outcome: expect.stringMatching(/^gave up after 4 attempts: SMTP E[A-Z]+: .*ECONNREFUSED/) });

    const [permanent] = await settled(await incidentOf(rejected.fingerprint), 1);
    expect(permanent).toMatchObject({ receiver: 'mail-reject', status: 'failed', attempts: 1, last_status_code: 550, outcome: expect.stringContaining('no such mailbox') });
    // Several retry periods later, still the one attempt.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(rcptAttempts.filter((a) => a === 'nobody@desk.example')).toHaveLength(1);
  });
});
