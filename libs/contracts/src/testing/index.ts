export {
  exampleAuditCheckpoint,
  exampleAuditEvent,
  exampleComplianceAlert,
  exampleFillEvent,
  exampleOrderEvent,
  exampleReportGenerated,
  exampleSecurityIncident,
} from './examples';
