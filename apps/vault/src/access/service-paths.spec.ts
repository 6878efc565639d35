import { serviceOwnsPath } from './service-paths';

describe('per-service secret paths', () => {
  it('lets a service use the paths naming it, and no others', () => {
    expect(serviceOwnsPath(['svc-audit-writer'], 'db/audit-writer')).toBe(true);
    expect(serviceOwnsPath(['svc-audit-writer'], 'signing/audit-writer/checkpoint')).toBe(true);
    expect(serviceOwnsPath(['svc-audit-writer'], 'db/alerter')).toBe(false);
    expect(serviceOwnsPath(['svc-audit-writer'], 'db/audit-writer-old')).toBe(false);
    expect(serviceOwnsPath(['admin'], 'db/audit-writer')).toBe(false);
  });
});
