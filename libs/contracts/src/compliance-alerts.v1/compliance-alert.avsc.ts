import type { AvroRecordSchema } from '../contract';
import { avroEnum, optional, required } from '../avro/avro-fields';
import { SEVERITIES } from '../common/severity.constants';
import { ALERT_TYPES } from './compliance-alert.type';

/** Avro form of compliance.alerts.v1; evidence.metrics is an Avro map of doubles. */
export const complianceAlertAvroSchema: AvroRecordSchema = {
  type: 'record',
  name: 'ComplianceAlert',
  namespace: 'dev.vigil.compliance.alerts.v1',
  doc: 'What the compliance detector found (compliance.alerts.v1, key: fingerprint).',
  fields: [
    required('alertId', 'string', 'Unique id of this alert.'),
    required('fingerprint', 'string', 'Stable hash of the finding; the same finding re-detected has the same fingerprint.'),
    required('type', avroEnum('AlertType', ALERT_TYPES)),
    required('severity', avroEnum('Severity', SEVERITIES)),
    required('ts', 'string', 'Detection (processing) time, RFC 3339.'),
    required('windowStart', 'string', 'Event-time start of the behaviour, RFC 3339.'),
    required('windowEnd', 'string', 'Event-time end of the behaviour, RFC 3339.'),
    required('venue', 'string'),
    required('instrument', 'string'),
    required('accountId', 'string', "Suspected party's account; for a wash trade, the buy side's."),
    optional('traderId', 'string'),
    optional('beneficialOwnerId', 'string'),
    required('ruleId', 'string', 'Configured rule that fired.'),
    required('ruleVersion', 'int', 'Version of that rule.'),
    required('score', 'double', 'Measured value that crossed the threshold.'),
    required('threshold', 'double', 'Threshold it crossed.'),
    required('summary', 'string', 'One human sentence: what happened, with the numbers.'),
    required('evidence', {
      type: 'record',
      name: 'AlertEvidence',
      fields: [
        required('orderIds', { type: 'array', items: 'string' }),
        required('tradeIds', { type: 'array', items: 'string' }),
        required('metrics', { type: 'map', values: 'double' }, 'Measured values by name.'),
      ],
    }),
  ],
};
