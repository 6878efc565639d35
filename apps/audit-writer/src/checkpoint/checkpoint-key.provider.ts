import { FactoryProvider } from '@nestjs/common';
import { SERVICE_CONFIG, SERVICE_LOGGER, ShutdownService } from '@vigil/service';
import type { Logger } from 'pino';
import type { AuditWriterConfig } from '../audit-writer.config';
import { CHECKPOINT_KEY } from './checkpoint.constants';
import { CheckpointSigning } from './checkpoint-signing';
import { loadCheckpointKey } from './signing-key';
import { loadCheckpointKeyFromVault } from './vault-signing-key';

/**
 * The checkpoint signing (CheckpointSigning): from the vault when VIGIL_VAULT_URL is set, whose
 * rotations it follows while running, else from VIGIL_AUDIT_SIGNING_KEY_FILE (a new key there
 * takes a restart, with the old verifier key in VIGIL_AUDIT_PREVIOUS_VERIFIER_KEYS). Anything
 * missing or malformed at start-up stops the service, named.
 */
export const checkpointKeyProvider: FactoryProvider<Promise<CheckpointSigning>> = {
  provide: CHECKPOINT_KEY,
  inject: [SERVICE_CONFIG, SERVICE_LOGGER, ShutdownService],
  useFactory: async (config: AuditWriterConfig, logger: Logger, shutdown: ShutdownService) => {
    if (config.VIGIL_VAULT_URL) {
      if (!config.VIGIL_AUDIT_CLIENT_SECRET_FILE) {
        throw new Error(`VIGIL_AUDIT_CLIENT_SECRET_FILE is required with VIGIL_VAULT_URL: the writer reads its signing key (${config.VIGIL_AUDIT_SIGNING_KEY_VAULT_PATH}) with its service account's token`);
      }
      const { key, onRotate, close } = await loadCheckpointKeyFromVault({
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
      const signing = new CheckpointSigning(key, config.VIGIL_AUDIT_PREVIOUS_VERIFIER_KEYS);
      onRotate((next) => {
        const previous = signing.current.verifierKey;
        if (!signing.rotate(next)) return;
        logger.warn(
          { path: config.VIGIL_AUDIT_SIGNING_KEY_VAULT_PATH, verifierKey: next.verifierKey, previousVerifierKey: previous },
          'checkpoint signing key rotated in the vault: new checkpoints are signed by the new key and cosigned by the old one with a handover line, until this writer restarts',
        );
      });
      return signing;
    }
    if (!config.VIGIL_AUDIT_SIGNING_KEY_FILE) {
      throw new Error('VIGIL_AUDIT_SIGNING_KEY_FILE: required when VIGIL_VAULT_URL is not set (a file holding a C2SP signer key; make one with "vigil audit keygen")');
    }
    return new CheckpointSigning(loadCheckpointKey(config.VIGIL_AUDIT_SIGNING_KEY_FILE), config.VIGIL_AUDIT_PREVIOUS_VERIFIER_KEYS);
  },
};
