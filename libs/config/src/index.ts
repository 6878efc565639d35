export { ConfigError, type ConfigProblem } from './config-error';
export { parseDuration } from './duration';
export { env, type LogLevel } from './env-vars';
export { loadConfig } from './load-config';
export { loadConfigOrExit } from './load-config-or-exit';
export { isSecretName, maskUrlCredentials } from './secret-names';
export { baseServiceConfig, type BaseServiceConfig } from './service-config';
