import type { Contract } from '../contract';
import { parseJsonField, pickForAvro, withoutNulls } from '../avro/avro-fields';
import { TOPICS } from '../topics.constants';
import { defineContract } from '../validation/define-contract';
import { securityIncidentAvroSchema } from './security-incident.avsc';
import { securityIncidentSchema } from './security-incident.schema';
import type { SecurityIncident } from './security-incident.type';

/** security.incidents.v1: anomalies that need a person, keyed by incidentId. */
export const securityIncidentsContract: Contract<SecurityIncident> = defineContract({
  topic: TOPICS.securityIncidents,
  schema: securityIncidentSchema,
  keyOf: (incident) => incident.incidentId,
  avroSchema: securityIncidentAvroSchema,
  toAvro: (incident) => ({
    ...pickForAvro(incident, securityIncidentAvroSchema.fields),
    evidence: JSON.stringify(incident.evidence),
  }),
  fromAvro: (record) => {
    const incident = withoutNulls(record);
    incident['evidence'] = parseJsonField(incident['evidence']);
    return incident;
  },
});
