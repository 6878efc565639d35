// The dashboard files as Grafana's file provisioning loads them: each a complete dashboard
// with a stable uid, every panel on the provisioned Prometheus datasource, laid out on the
// 24-column grid, every query a non-empty PromQL string with a legend. Whether the queries
// parse and return data is the live test's job (live-prometheus.int-spec.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/tools';
import { dashboards, queryPanels } from './observability-files';

const { datasources } = parse(readFileSync(path.join(REPO_ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: { uid: string }[] };

describe('deploy/grafana/dashboards', () => {
  const all = dashboards();

  it('has the five dashboards of issue 8', () => {
    expect(all.map((d) => d.uid).sort()).toEqual(['vigil-alerting', 'vigil-audit', 'vigil-platform', 'vigil-security', 'vigil-surveillance']);
  });

  it('gives every dashboard a unique uid and title', () => {
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    expect(new Set(all.map((d) => d.title)).size).toBe(all.length);
  });

  describe.each(all.map((d) => [d.file, d]))('%s', (_file, dashboard) => {
    const panels = queryPanels(dashboard);

    it('has unique panel ids and panels on the 24-column grid', () => {
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const p of panels) {
        expect({ panel: p.title, fits: (p.gridPos?.x ?? -1) >= 0 && (p.gridPos?.x ?? 0) + (p.gridPos?.w ?? 99) <= 24 }).toEqual({ panel: p.title, fits: true });
      }
    });

    it('queries the provisioned Prometheus datasource only, with a legend per query', () => {
      for (const p of panels) {
        expect(p.targets?.length).toBeGreaterThan(0);
        for (const t of p.targets ?? []) {
          expect({ panel: p.title, ds: t.datasource }).toEqual({ panel: p.title, ds: { type: 'prometheus', uid: datasources[0]?.uid } });
          expect(t.expr.trim()).not.toBe('');
          expect(t.legendFormat).toBeTruthy();
        }
      }
    });

    it('never groups by an id label (order, user, alert, incident, account)', () => {
      for (const p of panels) for (const t of p.targets ?? []) expect(t.expr).not.toMatch(/by \([^)]*\b(order|user|alert|incident|account|event)_?id\b/i);
    });
  });
});
