import { parseDuration } from '@vigil/config';
import { z } from 'zod';

/** Where a receiver's secret comes from: a vault secret's field (`<path>#<field>`), an environment variable or a file. */
export const secretRefSchema = z.union([
  z.object({ vault: z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*#[A-Za-z0-9._-]+$/, 'must be <path>#<field>, e.g. webhook/alerter/pagerduty#routing_key') }).strict(),
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

const duration = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const ms = parseDuration(value);
  if (ms !== undefined) return ms;
  ctx.addIssue({ code: 'custom', message: `must be a duration like 30s or 5m, or milliseconds (got "${value}")` });
  return z.NEVER;
});

const url = z.string().url();
const receiverSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('webhook'), url, secret: secretRefSchema }).strict(),
  z.object({ type: z.literal('alertmanager'), url }).strict(),
  z.object({ type: z.literal('pagerduty'), url: url.default('https://events.pagerduty.com/v2/enqueue'), routingKey: secretRefSchema }).strict(),
  z.object({ type: z.literal('slack'), webhookUrl: secretRefSchema }).strict(),
  z
    .object({
      type: z.literal('email'),
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(587),
      // true: TLS from the first byte (port 465); false: STARTTLS when the server offers it, required with requireTls.
      secure: z.boolean().default(false),
      requireTls: z.boolean().default(false),
      from: z.string().email(),
      to: z.array(z.string().email()).min(1),
      username: secretRefSchema.optional(),
      password: secretRefSchema.optional(),
    })
    .strict()
    .refine((email) => !email.username === !email.password, { message: 'username and password go together', path: ['password'] }),
]);
export type ReceiverConfig = z.infer<typeof receiverSchema>;

/** Label equality; a list means any of its values. */
const matchSchema = z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)])).default({});

export const routingSchema = z
  .object({
    // Labels whose values put alerts into one incident (and one page).
    groupBy: z.array(z.string()).min(1).default(['source', 'type', 'venue', 'desk', 'subject']),
    receivers: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), receiverSchema),
    routes: z
      .array(z.object({ match: matchSchema, receivers: z.array(z.string()).min(1), continue: z.boolean().default(false) }).strict())
      .default([]),
    defaultReceivers: z.array(z.string()).default([]),
    escalations: z
      .array(
        z
          .object({
            match: matchSchema,
            // Steps fire in order while the condition holds; each delay counts from the previous step.
            steps: z.array(z.object({ delay: duration, targets: z.array(z.string()).min(1) }).strict()).min(1),
            // if-not-acknowledged: acknowledging stops it; if-not-resolved: only resolving does.
            condition: z.enum(['if-not-acknowledged', 'if-not-resolved']).default('if-not-acknowledged'),
            // How many more times the whole list of steps runs after the last one.
            repeat: z.number().int().min(0).max(100).default(0),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    const known = new Set(Object.keys(config.receivers));
    const check = (names: string[], path: (string | number)[]) =>
      names.forEach((name, i) => {
        if (!known.has(name)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `unknown receiver "${name}" (defined: ${[...known].join(', ') || 'none'})` });
      });
    config.routes.forEach((route, i) => check(route.receivers, ['routes', i, 'receivers']));
    check(config.defaultReceivers, ['defaultReceivers']);
    config.escalations.forEach((policy, i) => policy.steps.forEach((step, j) => check(step.targets, ['escalations', i, 'steps', j, 'targets'])));
  });

export type RoutingConfig = z.output<typeof routingSchema>;
export type EscalationPolicy = RoutingConfig['escalations'][number];
