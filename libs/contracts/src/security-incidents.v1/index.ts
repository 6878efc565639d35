export * from './security-incident.type';
export { securityIncidentSchema } from './security-incident.schema';
export { securityIncidentAvroSchema } from './security-incident.avsc';
export { securityIncidentsContract } from './security-incidents.contract';
