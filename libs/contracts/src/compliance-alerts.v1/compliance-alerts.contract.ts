import type { Contract } from '../contract';
import { pickForAvro, withoutNulls } from '../avro/avro-fields';
import { TOPICS } from '../topics.constants';
import { defineContract } from '../validation/define-contract';
import { complianceAlertAvroSchema } from './compliance-alert.avsc';
import { complianceAlertSchema } from './compliance-alert.schema';
import type { ComplianceAlert } from './compliance-alert.type';

/** compliance.alerts.v1: findings of the compliance detector, keyed by fingerprint. */
export const complianceAlertsContract: Contract<ComplianceAlert> = defineContract({
  topic: TOPICS.complianceAlerts,
  schema: complianceAlertSchema,
  keyOf: (alert) => alert.fingerprint,
  avroSchema: complianceAlertAvroSchema,
  // Nested evidence has no optional fields, so it maps as it is.
  toAvro: (alert) => pickForAvro(alert, complianceAlertAvroSchema.fields),
  fromAvro: withoutNulls,
});
