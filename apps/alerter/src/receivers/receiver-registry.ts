import type { ReceiverConfig } from '../routing/routing.schema';
import { Routing } from '../routing/routing';
import { alertmanagerReceiver } from './alertmanager.receiver';
import { emailReceiver } from './email.receiver';
import { pagerdutyReceiver } from './pagerduty.receiver';
import type { Receiver } from './receiver';
import { secretResolver, type SecretResolver } from './receiver-secrets';
import { slackReceiver } from './slack.receiver';
import { webhookReceiver } from './webhook.receiver';

type Factory<T extends ReceiverConfig['type']> = (name: string, config: Extract<ReceiverConfig, { type: T }>, secret: SecretResolver) => Receiver;

/** One line per receiver type. */
const FACTORIES: { [T in ReceiverConfig['type']]: Factory<T> } = {
  webhook: webhookReceiver,
  alertmanager: alertmanagerReceiver,
  pagerduty: pagerdutyReceiver,
  slack: slackReceiver,
  email: emailReceiver,
};

/** Every receiver of the routing file, built at start-up (a missing secret stops it, named). */
export class ReceiverRegistry {
  private readonly receivers = new Map<string, Receiver>();

  constructor(routing: Routing, vault?: (path: string, field: string) => string) {
    for (const [name, config] of Object.entries(routing.config.receivers)) {
      this.receivers.set(name, (FACTORIES[config.type] as Factory<typeof config.type>)(name, config, secretResolver(name, vault)));
    }
  }

  get(name: string): Receiver | undefined {
    return this.receivers.get(name);
  }
}
