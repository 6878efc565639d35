export * from './compliance-alert.type';
export { complianceAlertSchema } from './compliance-alert.schema';
export { complianceAlertAvroSchema } from './compliance-alert.avsc';
export { complianceAlertsContract } from './compliance-alerts.contract';
