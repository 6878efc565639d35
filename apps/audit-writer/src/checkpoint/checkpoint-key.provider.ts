import { FactoryProvider } from '@nestjs/common';
import { SERVICE_CONFIG, SERVICE_LOGGER, ShutdownService } from '@vigil/service';
import type { Logger } from 'pino';
import type { AuditWriterConfig } from '../audit-writer.config';
import { CHECKPOINT_KEY } from './checkpoint.constants';
import { loadCheckpointKey, type CheckpointKey } from './signing-key';
import { loadCheckpointKeyFromVault } from './vault-signing-key';

/**
 * The signing key, read once at start-up: from the vault when VIGIL_VAULT_URL is set, else
 * from VIGIL_AUDIT_SIGNING_KEY_FILE. Anything missing or malformed stops the service, named.
 */
export const checkpointKeyProvider: FactoryProvider<Promise<CheckpointKey>> = {
  provide: CHECKPOINT_KEY,
  inject: [SERVICE_CONFIG, SERVICE_LOGGER, ShutdownService],
  useFactory: async (config: AuditWriterConfig, logger: Logger, shutdown: ShutdownService) => {
    if (config.VIGIL_VAULT_URL) {
      if (!config.VIGIL_AUDIT_CLIENT_SECRET_FILE) {
        throw new Error(`VIGIL_AUDIT_CLIENT_SECRET_FILE is required with VIGIL_VAULT_URL: the writer reads its signing key (${config.VIGIL_AUDIT_SIGNING_KEY_VAULT_PATH}) with its service account's token`);
      }
      const { key, close } = await loadCheckpointKeyFromVault({
        vaultUrl: config.VIGIL_VAULT_URL,
        path: config.VIGIL_AUDIT_SIGNING_KEY_VAULT_PATH,
        field: config.VIGIL_AUDIT_SIGNING_KEY_VAULT_FIELD,
        tokenUrl: config.VIGIL_AUDIT_GATEWAY_TOKEN_URL,
        clientId: config.VIGIL_AUDIT_CLIENT_ID,
        clientSecretFile: config.VIGIL_AUDIT_CLIENT_SECRET_FILE,
        logger,
      });
      shutdown.onShutdown('vault client', close);
      logger.info({ path: config.VIGIL_AUDIT_SIGNING_KEY_VAULT_PATH, verifierKey: key.verifierKey }, 'checkpoint signing key loaded from the vault');
      return key;
    }
    if (!config.VIGIL_AUDIT_SIGNING_KEY_FILE) {
      throw new Error('VIGIL_AUDIT_SIGNING_KEY_FILE: required when VIGIL_VAULT_URL is not set (a file holding a C2SP signer key; make one with "vigil audit keygen")');
    }
    return loadCheckpointKey(config.VIGIL_AUDIT_SIGNING_KEY_FILE);
  },
};
