// The PromQL Vigil ships: every alert rule of deploy/prometheus/rules and every panel query of
// deploy/grafana/dashboards, read as Prometheus and Grafana read them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/tools';

export const RULES_DIR = path.join(REPO_ROOT, 'deploy/prometheus/rules');
export const DASHBOARDS_DIR = path.join(REPO_ROOT, 'deploy/grafana/dashboards');

export interface AlertRule {
  file: string;
  group: string;
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function ruleFiles(): string[] {
  return readdirSync(RULES_DIR)
    .filter((name) => name.endsWith('.yml'))
    .sort()
    .map((name) => path.join(RULES_DIR, name));
}

export function alertRules(): AlertRule[] {
  return ruleFiles().flatMap((file) => {
    const { groups } = parse(readFileSync(file, 'utf8')) as { groups: { name: string; rules: Omit<AlertRule, 'file' | 'group'>[] }[] };
    return groups.flatMap((group) => group.rules.map((rule) => ({ ...rule, file: path.basename(file), group: group.name })));
  });
}

export interface Panel {
  id: number;
  title: string;
  type: string;
  targets?: { refId: string; expr: string; legendFormat?: string; datasource?: unknown }[];
  panels?: Panel[];
  gridPos?: { x: number; y: number; w: number; h: number };
}

export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: unknown[] };
}

export function dashboards(): Dashboard[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ ...(JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, name), 'utf8')) as Omit<Dashboard, 'file'>), file: name }));
}

/** Every panel with queries, rows' children included. */
export function queryPanels(dashboard: Dashboard): Panel[] {
  const all = (panels: Panel[]): Panel[] => panels.flatMap((panel) => [panel, ...all(panel.panels ?? [])]);
  return all(dashboard.panels).filter((panel) => panel.type !== 'row');
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

export function panelQueries(): PanelQuery[] {
  return dashboards().flatMap((dashboard) =>
    queryPanels(dashboard).flatMap((panel) => (panel.targets ?? []).map((target) => ({ dashboard: dashboard.title, panel: panel.title, refId: target.refId, expr: target.expr }))),
  );
}
