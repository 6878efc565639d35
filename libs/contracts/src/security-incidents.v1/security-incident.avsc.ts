import type { AvroRecordSchema } from '../contract';
import { avroEnum, required } from '../avro/avro-fields';
import { SEVERITIES } from '../common/severity.constants';
import { INCIDENT_TYPES } from './security-incident.type';

/** Avro form of security.incidents.v1; `evidence` is free-form, so it travels as JSON text. */
export const securityIncidentAvroSchema: AvroRecordSchema = {
  type: 'record',
  name: 'SecurityIncident',
  namespace: 'dev.vigil.security.incidents.v1',
  doc: 'An anomaly that needs a person (security.incidents.v1, key: incidentId).',
  fields: [
    required('incidentId', 'string'),
    required('ts', 'string', 'RFC 3339.'),
    required('type', avroEnum('IncidentType', INCIDENT_TYPES)),
    required('severity', avroEnum('Severity', SEVERITIES)),
    required('subject', 'string', 'Who or what.'),
    required('summary', 'string'),
    required('evidence', 'string', 'JSON-encoded object; never a credential.'),
  ],
};
