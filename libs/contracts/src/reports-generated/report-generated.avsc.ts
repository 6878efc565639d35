import type { AvroRecordSchema } from '../contract';
import { avroEnum, required } from '../avro/avro-fields';
import { REPORT_TYPES } from './report-generated.type';

/** Avro form of reports.generated (Vigil-internal). */
export const reportGeneratedAvroSchema: AvroRecordSchema = {
  type: 'record',
  name: 'ReportGenerated',
  namespace: 'dev.vigil.reports.generated',
  doc: 'One finished regulatory or attestation report (reports.generated, key: reportId).',
  fields: [
    required('reportId', 'string'),
    required('type', avroEnum('ReportType', REPORT_TYPES)),
    required('periodStart', 'string', 'RFC 3339.'),
    required('periodEnd', 'string', 'RFC 3339.'),
    required('generatedAt', 'string', 'RFC 3339.'),
    required('format', 'string', 'csv, json, xml, pdf, ...'),
    required('location', 'string', 'Where the file can be fetched.'),
    required('sha256', 'string', 'SHA-256 of the file, lowercase hex.'),
  ],
};
