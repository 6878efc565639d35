import { ALERT_TYPES, type AlertType, type ComplianceAlert } from '@vigil/contracts';
import type { EpisodeLabel } from './labels';

/** An alert's window may sit this far outside its episode's span and still be that episode's. */
const SLACK_MS = 2_000;

export interface TypeAccuracy {
  type: AlertType;
  labels: number;
  found: number;
  alerts: number;
  truePositives: number;
  precision: number;
  recall: number;
}

export interface AccuracyReport {
  byType: TypeAccuracy[];
  /** Alerts that match no label of their type: each one a false positive. */
  falsePositives: ComplianceAlert[];
  /** Labelled manipulations no alert matched. */
  missed: EpisodeLabel[];
  /** Alerts on a decoy's account and instrument (any type). */
  onDecoys: { decoy: EpisodeLabel; alert: ComplianceAlert }[];
}

/** Does this alert report this labelled manipulation: same type, place, party and overlapping event time? */
export function matches(alert: ComplianceAlert, label: EpisodeLabel): boolean {
  if (label.kind !== 'MANIPULATION' || alert.type !== label.type) return false;
  if (alert.venue !== label.venue || alert.instrument !== label.instrument) return false;
  const party = alert.accountId === label.accountId || (label.beneficialOwnerId !== undefined && alert.beneficialOwnerId === label.beneficialOwnerId);
  if (!party) return false;
  return Date.parse(alert.windowStart) <= Date.parse(label.end) + SLACK_MS && Date.parse(alert.windowEnd) >= Date.parse(label.start) - SLACK_MS;
}

/**
 * Precision (alerts that match a label / alerts) and recall (labels matched by an alert /
 * labels) per alert type. A type with neither labels nor alerts counts as 1 for both.
 */
export function accuracyOf(alerts: ComplianceAlert[], labels: EpisodeLabel[]): AccuracyReport {
  const manipulations = labels.filter((l) => l.kind === 'MANIPULATION');
  const decoys = labels.filter((l) => l.kind === 'DECOY');
  const byType = ALERT_TYPES.map((type): TypeAccuracy => {
    const typed = alerts.filter((a) => a.type === type);
    const wanted = manipulations.filter((l) => l.type === type);
    const truePositives = typed.filter((a) => wanted.some((l) => matches(a, l))).length;
    const found = wanted.filter((l) => typed.some((a) => matches(a, l))).length;
    return {
      type,
      labels: wanted.length,
      found,
      alerts: typed.length,
      truePositives,
      precision: typed.length === 0 ? (wanted.length === 0 ? 1 : 0) : truePositives / typed.length,
      recall: wanted.length === 0 ? 1 : found / wanted.length,
    };
  });
  return {
    byType,
    falsePositives: alerts.filter((a) => !manipulations.some((l) => matches(a, l))),
    missed: manipulations.filter((l) => !alerts.some((a) => matches(a, l))),
    onDecoys: decoys.flatMap((decoy) =>
      alerts.filter((a) => a.accountId === decoy.accountId && a.venue === decoy.venue && a.instrument === decoy.instrument).map((alert) => ({ decoy, alert })),
    ),
  };
}

/** The per-type table as text (the test and the benchmark print it). */
export function formatAccuracy(report: AccuracyReport): string {
  const rows = report.byType.map(
    (r) =>
      `${r.type.padEnd(22)} ${String(r.labels).padStart(6)} ${String(r.alerts).padStart(6)} ${String(r.truePositives).padStart(4)} ` +
      `${r.precision.toFixed(3).padStart(9)} ${r.recall.toFixed(3).padStart(7)}`,
  );
  return [`${'type'.padEnd(22)} ${'labels'.padStart(6)} ${'alerts'.padStart(6)} ${'TP'.padStart(4)} ${'precision'.padStart(9)} ${'recall'.padStart(7)}`, ...rows].join('\n');
}
