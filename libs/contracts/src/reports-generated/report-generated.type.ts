export const REPORT_TYPES = ['STOR', 'RTS9_OTR', 'INCIDENT_ATTESTATION', 'AUDIT_ATTESTATION'] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

/** A reports.generated event (Vigil-internal): one finished report file. Key: reportId. */
export interface ReportGenerated {
  reportId: string;
  /** STOR (suspicious transaction and order report), RTS9_OTR (order-to-trade ratio), or an attestation. */
  type: ReportType;
  /** Covered period, RFC 3339; periodEnd is not before periodStart. */
  periodStart: string;
  periodEnd: string;
  /** When the file was finished, RFC 3339. */
  generatedAt: string;
  /** Lowercase file format token: `csv`, `json`, `xml`, `pdf`. */
  format: string;
  /** Where the file can be fetched (reporter URL path or URI). */
  location: string;
  /** SHA-256 of the file's bytes, 64 lowercase hex digits. */
  sha256: string;
}
