import { loadConfigOrExit } from '@vigil/config';
import { runService } from '@vigil/service';
import { AppModule } from './app.module';
import { authGatewayConfig } from './auth-gateway.config';

// A bad variable stops the service here, named, before anything starts.
const config = loadConfigOrExit(authGatewayConfig);

void runService({
  name: 'auth-gateway',
  module: AppModule,
  config,
  description: 'The public edge of Vigil: login, MFA, tokens, JWKS, and the authenticated, RBAC-checked proxy to the other services.',
});
