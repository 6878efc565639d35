import type { FactoryProvider } from '@nestjs/common';
import { SERVICE_CONFIG } from '@vigil/service';
import type { AlerterConfig } from '../alerter.config';
import { alerterFile } from '../db/alerter-files';
import { Routing } from './routing';

/** The routing file (VIGIL_ALERTER_ROUTING_FILE, default apps/alerter/routing.yaml), loaded once at start. */
export const routingProvider: FactoryProvider<Routing> = {
  provide: Routing,
  inject: [SERVICE_CONFIG],
  useFactory: (config: AlerterConfig) => Routing.load(config.VIGIL_ALERTER_ROUTING_FILE ?? alerterFile('routing.yaml')),
};
