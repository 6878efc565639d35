export { createVaultClient, type VaultClient, type VaultClientOptions } from './vault-client';
export { loadSecrets, type SecretSpec } from './load-secrets';
export { Secret, type LeaseInfo } from './secret';
export { MissingSecretsError, VaultClientError, type VaultErrorCode } from './vault-client.errors';
export { VaultHttp, type VaultHttpOptions } from './vault-http';
