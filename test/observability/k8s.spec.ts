// deploy/k8s as the API server would take it: every object validated against the Kubernetes
// OpenAPI schemas (kubernetes-models, no network), then the house rules: probes on /healthz and
// /readyz, requests and limits, configuration from ConfigMaps, secrets only by reference, a
// PodDisruptionBudget and a Service selecting each Deployment's pods.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { NODE, SERVICES } from '../support/stack';
import { REPO_ROOT } from '../support/tools';

const K8S = path.join(REPO_ROOT, 'deploy/k8s');
const PORTS: Record<string, number> = { 'auth-gateway': 8080, vault: 8101, 'compliance-detector': 8102, alerter: 8103, 'audit-writer': 8104, reporter: 8105 };

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
}

const files = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const objects: (K8sObject & { file: string })[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(K8S, file), 'utf8')).map((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return { ...(doc.toJS() as K8sObject), file };
  }),
);
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

/**
 * kubernetes-models is ES modules only; Node 24 (the project's) loads it, Jest's CommonJS does not,
 * so the validation runs in a child process: one verdict per object.
 */
function validate(objs: K8sObject[]): { kind: string; name: string; error: string | null }[] {
  const script = `
    import * as core from 'kubernetes-models/v1';
    import * as apps from 'kubernetes-models/apps/v1';
    import * as policy from 'kubernetes-models/policy/v1';
    const models = { 'v1': core, 'apps/v1': apps, 'policy/v1': policy };
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const out = JSON.parse(input).map((o) => {
      const Model = models[o.apiVersion]?.[o.kind];
      if (!Model) return { kind: o.kind, name: o.metadata?.name, error: 'no schema for ' + o.apiVersion + ' ' + o.kind };
      try { new Model(o).validate(); return { kind: o.kind, name: o.metadata.name, error: null }; }
      catch (e) { return { kind: o.kind, name: o.metadata.name, error: String(e.message) }; }
    });
    process.stdout.write(JSON.stringify(out));`;
  const stdout = execFileSync(NODE, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, input: JSON.stringify(objs), encoding: 'utf8' });
  return JSON.parse(stdout) as { kind: string; name: string; error: string | null }[];
}

describe('deploy/k8s', () => {
  it('validates every object against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(20);
    expect(validate(objects).filter((v) => v.error !== null)).toEqual([]);
  });

  it('rejects a broken Deployment (so the check above can fail)', () => {
    const deployment = structuredClone(find('Deployment', 'vault')) as K8sObject;
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    delete deployment.spec.selector;
    const [verdict] = validate([deployment]);
    expect(verdict?.error).toMatch(/containerPort must be integer|selector/);
  });

  it('lists every file in kustomization.yaml, in the vigil namespace', () => {
    const kustomization = parseAllDocuments(readFileSync(path.join(K8S, 'kustomization.yaml'), 'utf8'))[0]?.toJS() as { namespace: string; resources: string[] };
    expect([...kustomization.resources].sort()).toEqual([...files].sort());
    for (const o of objects.filter((o) => o.kind !== 'Namespace')) expect({ object: `${o.kind}/${o.metadata.name}`, ns: o.metadata.namespace }).toEqual({ object: `${o.kind}/${o.metadata.name}`, ns: kustomization.namespace });
  });

  describe.each(SERVICES.map((s) => [s.name]))('%s', (name) => {
    const deployment = find('Deployment', name) as K8sObject;
    const pod = deployment?.spec.template.spec;
    const container = pod?.containers.find((c: { name: string }) => c.name === name);

    it('has a Deployment whose container listens on the service port', () => {
      expect(container.ports).toEqual([{ name: 'http', containerPort: PORTS[name], protocol: 'TCP' }]);
      expect(find('ConfigMap', `vigil-${name}`)?.data?.['VIGIL_HTTP_PORT']).toBe(String(PORTS[name]));
    });

    it('probes /healthz for liveness and startup and /readyz for readiness', () => {
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    });

    it('sets resource requests and limits', () => {
      for (const kind of ['requests', 'limits']) for (const resource of ['cpu', 'memory']) expect(container.resources[kind][resource]).toBeDefined();
    });

    it('reads its configuration from ConfigMaps and its secrets only by reference', () => {
      const refs = container.envFrom.map((e: { configMapRef?: { name: string }; secretRef?: { name: string } }) => e.configMapRef?.name ?? `secret:${e.secretRef?.name}`);
      expect(refs.slice(0, 2)).toEqual(['vigil-common', `vigil-${name}`]);
      for (const e of container.env ?? []) expect({ env: e.name, literal: 'value' in e }).toEqual({ env: e.name, literal: false });
      for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) expect(JSON.stringify(cm.data)).not.toMatch(/password|BEGIN .*PRIVATE KEY|postgres:\/\/[^@/]+:[^@/]+@/i);
      expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    });

    it('stops within its grace period, as a non-root user on a read-only root filesystem', () => {
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(30); // VIGIL_SHUTDOWN_TIMEOUT is 30 s
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    });

    it('has a Service and a PodDisruptionBudget selecting its pods', () => {
      const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
      const matches = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);
      const service = find('Service', name) as K8sObject;
      const pdb = find('PodDisruptionBudget', name) as K8sObject;
      expect(matches(deployment.spec.selector.matchLabels)).toBe(true);
      expect(matches(service.spec.selector)).toBe(true);
      expect(service.spec.ports).toEqual([{ name: 'http', port: PORTS[name], targetPort: 'http', protocol: 'TCP' }]);
      expect(matches(pdb.spec.selector.matchLabels)).toBe(true);
      // minAvailable on a single replica would block every node drain.
      if (deployment.spec.replicas < 2) expect(pdb.spec.minAvailable).toBeUndefined();
    });

    it('mounts every Secret it references read-only', () => {
      for (const volume of pod.volumes.filter((v: { secret?: unknown }) => v.secret)) {
        const mount = container.volumeMounts.find((m: { name: string }) => m.name === volume.name);
        expect({ volume: volume.name, readOnly: mount?.readOnly }).toEqual({ volume: volume.name, readOnly: true });
      }
    });
  });
});
