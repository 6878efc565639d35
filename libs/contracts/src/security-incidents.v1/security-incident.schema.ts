import { z } from 'zod';
import { SEVERITIES } from '../common/severity.constants';
import { freeFormObject } from '../validation/free-form-object.schema';
import { text, timestamp } from '../validation/fields.schema';
import { INCIDENT_TYPES, type SecurityIncident } from './security-incident.type';

/**
 * security.incidents.v1 incident. CONTRACTS.md does not say so for evidence, but incidents go
 * to people and outside receivers, so evidence gets the same credential guard as audit details.
 */
export const securityIncidentSchema: z.ZodType<SecurityIncident> = z.object({
  incidentId: text(),
  ts: timestamp(),
  type: z.enum(INCIDENT_TYPES),
  severity: z.enum(SEVERITIES),
  subject: text(),
  summary: text(),
  evidence: freeFormObject({ secretsForbiddenIn: 'incident evidence' }),
});
