import { Routing } from './routing';

const yaml = `
receivers:
  hook: { type: webhook, url: http://127.0.0.1:1/hook, secret: { env: X } }
  pd: { type: pagerduty, routingKey: { file: /nonexistent } }
  am: { type: alertmanager, url: http://127.0.0.1:9093 }
routes:
  - { match: { severity: [CRITICAL, HIGH], desk: rates }, receivers: [pd], continue: true }
  - { match: { severity: CRITICAL }, receivers: [hook] }
  - { match: { type: SPOOFING }, receivers: [am] }
defaultReceivers: [am]
escalations:
  - { match: { type: BRUTE_FORCE }, steps: [{ delay: 5m, targets: [pd] }, { delay: 90000, targets: [hook, pd] }] }
`;

describe('Routing', () => {
  const routing = Routing.fromYaml(yaml);

  it('routes by labels: first match, continuing while `continue`, else the defaults', () => {
    expect(routing.receiversFor({ severity: 'CRITICAL', desk: 'rates' })).toEqual(['pd', 'hook']);
    expect(routing.receiversFor({ severity: 'HIGH', desk: 'rates', type: 'SPOOFING' })).toEqual(['pd', 'am']);
    expect(routing.receiversFor({ severity: 'LOW', type: 'LAYERING' })).toEqual(['am']);
  });

  it('groups by the groupBy labels and finds escalation policies with their delays in ms', () => {
    expect(routing.groupKey({ source: 'security', type: 'BRUTE_FORCE', subject: 'user:a', extra: 'x' })).toBe('source=security,type=BRUTE_FORCE,venue=,desk=,subject=user:a');
    expect(routing.escalationFor({ type: 'BRUTE_FORCE' })?.steps.map((s) => s.delay)).toEqual([300_000, 90_000]);
    expect(routing.escalationFor({ type: 'BRUTE_FORCE' })).toMatchObject({ condition: 'if-not-acknowledged', repeat: 0 });
    expect(routing.escalationFor({ type: 'SPOOFING' })).toBeUndefined();
    expect(routing.config.receivers.pd).toMatchObject({ url: 'https://events.pagerduty.com/v2/enqueue' });
  });

  it('refuses a bad file naming each problem by path', () => {
    const bad = `
receivers:
  hook: { type: webhook, url: not-a-url, secret: { env: X } }
  x: { type: fax }
  mail: { type: email, host: smtp.example, from: not-an-address, to: [], username: { env: SMTP_USER } }
routes: [{ match: {}, receivers: [nope] }]
escalations: [{ match: {}, steps: [{ delay: soon, targets: [hook] }] }]
`;
    expect(() => Routing.fromYaml(bad, 'routing.yaml')).toThrow(/routing\.yaml: invalid routing file: .*receivers\.hook\.url: .*receivers\.x\.type: .*receivers\.mail\.from: .*receivers\.mail\.to: .*escalations\.0\.steps\.0\.delay: must be a duration/);
  });

  it('takes an email receiver with defaults, and refuses a username without a password', () => {
    const mail = Routing.fromYaml(`receivers:\n  mail: { type: email, host: smtp.example, from: alerts@vigil.example, to: [oncall@desk.example] }\n`);
    expect(mail.config.receivers.mail).toEqual({ type: 'email', host: 'smtp.example', port: 587, secure: false, requireTls: false, from: 'alerts@vigil.example', to: ['oncall@desk.example'] });
    expect(() => Routing.fromYaml(`receivers:\n  mail: { type: email, host: h, from: a@b.example, to: [c@d.example], username: { env: U } }\n`)).toThrow(/receivers\.mail\.password: username and password go together/);
  });
});
