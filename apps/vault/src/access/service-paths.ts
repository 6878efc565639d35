/**
 * Each service may use only its own secrets: a service principal holding role
 * `svc-<name>` may touch a path only when one of its segments is `<name>`
 * (`db/audit-writer` for svc-audit-writer). People are governed by their roles alone.
 */
export function servicesOf(roles: readonly string[]): string[] {
  return roles.filter((r) => r.startsWith('svc-') && r.length > 4).map((r) => r.slice(4));
}

export function serviceOwnsPath(roles: readonly string[], path: string): boolean {
  const segments = path.split('/');
  return servicesOf(roles).some((service) => segments.includes(service));
}
