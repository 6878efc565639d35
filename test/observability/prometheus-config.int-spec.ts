// The alerting configuration as Prometheus's and Alertmanager's own tools judge it:
// promtool checks the config and every rule file and runs the rules' unit tests
// (deploy/prometheus/tests), amtool checks Alertmanager's config. Plus the house rules
// every alert follows (a `for:`, a severity the alerter maps, summary, description, runbook).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTool, runTool } from '../support/tools';
import { alertRules, ruleFiles } from './observability-files';

// The alerter maps these to its own severities (critical → CRITICAL, high → HIGH, warning → MEDIUM).
const SEVERITIES = ['critical', 'high', 'warning'];

describe('deploy/prometheus', () => {
  const promtool = findTool('promtool');

  it('promtool check config: prometheus.yml is valid and loads every rule file', async () => {
    const { code, output } = await runTool(promtool, ['check', 'config', 'deploy/prometheus/prometheus.yml']);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('is valid prometheus config file syntax') });
    expect(output).toContain(`SUCCESS: ${ruleFiles().length} rule files found`);
    for (const file of ruleFiles()) expect(output).toContain(`Checking deploy/prometheus/rules/${path.basename(file)}`);
  });

  it('promtool check rules: every rule file is valid', async () => {
    const { code, output } = await runTool(promtool, ['check', 'rules', ...ruleFiles()]);
    expect({ code, output }).toEqual({ code: 0, output: expect.not.stringContaining('FAILED') });
    expect(ruleFiles().length).toBeGreaterThanOrEqual(3);
  });

  it('promtool test rules: the rules fire on the made-up series of deploy/prometheus/tests, and only then', async () => {
    const { code, output } = await runTool(promtool, ['test', 'rules', 'deploy/prometheus/tests/rules.test.yml']);
    expect({ code, output: output.trim() }).toEqual({ code: 0, output: expect.stringMatching(/SUCCESS$/) });
  });

  it('promtool check rules refuses a broken rule, naming it (so the checks above can fail)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-rules-'));
    try {
      const file = path.join(dir, 'broken.yml');
      writeFileSync(file, 'groups:\n  - name: g\n    rules:\n      - alert: Broken\n        expr: sum by (job (up)\n');
      const { code, output } = await runTool(promtool, ['check', 'rules', file]);
      expect(code).not.toBe(0);
      expect(output).toMatch(/Broken|parse error/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has the alerts an SRE expects', () => {
    expect(alertRules().map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'VigilServiceDown',
        'VigilConsumerLagHigh',
        'VigilConsumerStalled',
        'VigilDeadLettersGrowing',
        'VigilAuditCheckpointStale',
        'VigilAuditIntegrityViolation',
        'VigilLockoutSpike',
      ]),
    );
  });

  it.each(alertRules().map((rule) => [rule.alert, rule]))('%s has a for:, a severity the alerter maps, a team, summary, description and runbook', (_name, rule) => {
    expect(rule.for).toMatch(/^\d+[smh]$/);
    expect(SEVERITIES).toContain(rule.labels?.['severity']);
    expect(rule.labels?.['team']).toMatch(/^[a-z]+$/);
    for (const key of ['summary', 'description', 'runbook']) expect(rule.annotations?.[key]?.trim().length ?? 0).toBeGreaterThan(10);
  });

  it('names every alert once', () => {
    const names = alertRules().map((rule) => rule.alert);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });
});

describe('deploy/alertmanager', () => {
  it('amtool check-config: alertmanager.yml is valid', async () => {
    const { code, output } = await runTool(findTool('amtool'), ['check-config', 'deploy/alertmanager/alertmanager.yml']);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('amtool routes a critical and a warning alert to the alerter', async () => {
    for (const severity of ['critical', 'warning']) {
      const { code, stdout } = await runTool(findTool('amtool'), ['config', 'routes', 'test', '--config.file=deploy/alertmanager/alertmanager.yml', `severity=${severity}`, 'alertname=VigilServiceDown']);
      expect({ severity, code, receivers: stdout.trim() }).toEqual({ severity, code: 0, receivers: 'vigil-alerter' });
    }
  });

  it("never routes the alerter's own incidents (label incident) back to the alerter", async () => {
    const { code, stdout } = await runTool(findTool('amtool'), ['config', 'routes', 'test', '--config.file=deploy/alertmanager/alertmanager.yml', 'incident=inc-1', 'severity=CRITICAL', 'alertname=WASH_TRADE']);
    expect({ code, receivers: stdout.trim() }).toEqual({ code: 0, receivers: 'discard' });
  });
});
