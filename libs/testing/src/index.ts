export { testPrefix, uniqueId } from './unique-id';
export { LOCAL_INFRA, infraEnv, serviceEnv, type InfraEnv } from './infra-env';
export { ALL_SERVERS, probeInfra, probeKafka, probePostgres, probeRedis, probeRegistry, redactUrl, type InfraServer, type ProbeResult } from './infra-probe';
export { InfraDownError, assertInfraUp, describeDown } from './assert-infra-up';
export {
  assertIdentifier,
  createThrowawayDatabase,
  createThrowawaySchema,
  withDatabase,
  withSearchPath,
  type ThrowawayDatabase,
  type ThrowawaySchema,
} from './throwaway-database';
export { freePort } from './free-port';
export { postgresBinDir, startPasswordPostgres, type PasswordPostgres } from './password-postgres';
export { deleteRedisKeysByPrefix, escapeRedisGlob } from './redis-keys';
export { CONTAINER_IMAGES, containersRequested, startTestContainers, type StartedInfra } from './test-containers';
export { testInfra } from './test-infra';
export { LEAK_SCAN_FILE_ENV, MIN_SECRET_BYTES, deferTopicDeletionToLeakScan, leakScanActive, registerSecretForLeakScan, registerSecretsInBody, LeakScanSecrets } from './leak-scan';
