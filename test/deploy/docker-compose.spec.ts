// docker-compose.yml cannot run on these machines (no Docker), so this checks what can
// be checked without it: the stack has every service and port the docs name, the
// services reach each other by compose host name, and the files it mounts, builds
// and scrapes agree with each other and with the repository.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  dockerfileStages,
  interpolate,
  interpolateDeep,
  parseYaml,
  portMappings,
  readmePortRows,
  readRepoFile,
  ROOT,
} from './deploy-files';

/**
 * The host ports the docs name (COMMON.md's "Local infrastructure"). README.md, when it
 * has a port table, is read too and must agree (see readmePortRows for the row format).
 */
const DOCUMENTED_PORTS = {
  services: {
    'auth-gateway': 8080,
    vault: 8101,
    'compliance-detector': 8102,
    alerter: 8103,
    'audit-writer': 8104,
    reporter: 8105,
  },
  infrastructure: {
    kafka: 9092,
    registry: 8081,
    postgres: 5432,
    redis: 6379,
    prometheus: 9090,
    alertmanager: 9093,
    grafana: 3000,
  },
} as const;

type ServiceName = keyof typeof DOCUMENTED_PORTS.services;
const SERVICES = Object.keys(DOCUMENTED_PORTS.services) as ServiceName[];
const SERVICE_PORTS = Object.entries(DOCUMENTED_PORTS.services) as [ServiceName, number][];
const ALL_PORTS = [...SERVICE_PORTS, ...Object.entries(DOCUMENTED_PORTS.infrastructure)] as [string, number][];
const INFRASTRUCTURE = Object.keys(DOCUMENTED_PORTS.infrastructure);

// What every service connects to, and so waits for.
const SERVICE_DEPENDENCIES = ['kafka', 'registry', 'postgres', 'redis'];

// COMMON.md's variables, plus any libs/config reads (it may add more than COMMON.md lists).
const KNOWN_VARIABLES = new Set([
  'VIGIL_KAFKA_BROKERS',
  'VIGIL_KAFKA_CLIENT_ID',
  'VIGIL_SCHEMA_REGISTRY_URL',
  'VIGIL_TOPIC_PREFIX',
  'VIGIL_DATABASE_URL',
  'VIGIL_REDIS_URL',
  'VIGIL_HTTP_PORT',
  'VIGIL_HTTP_HOST',
  'VIGIL_LOG_LEVEL',
  ...sourceFiles('libs/config/src').flatMap((file) => readRepoFile(file).match(/\bVIGIL_[A-Z0-9_]+\b/g) ?? []),
]);

function sourceFiles(dir: string): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .map((entry) => join(entry.parentPath.slice(ROOT.length + 1), entry.name));
}

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, unknown> };
  environment?: Record<string, unknown> | string[];
  ports?: unknown;
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  command?: string | string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const compose = interpolateDeep(parseYaml('docker-compose.yml') as ComposeFile);

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

function env(name: string): Record<string, string> {
  const raw = service(name).environment ?? {};
  const pairs = Array.isArray(raw)
    ? raw.map((entry) => [entry.split('=', 1)[0], entry.slice(entry.indexOf('=') + 1)])
    : Object.entries(raw).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(pairs);
}

function dependsOn(name: string): Record<string, string> {
  const raw = service(name).depends_on ?? [];
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(raw).map(([d, spec]) => [d, spec.condition ?? 'service_started']));
}

function healthcheckText(name: string): string {
  const check = service(name).healthcheck;
  if (check === undefined || check.disable === true || check.test === undefined) return '';
  const test = Array.isArray(check.test) ? check.test : ['CMD-SHELL', check.test];
  return test[0] === 'NONE' ? '' : test.slice(1).join(' ');
}

/** Bind mounts as [source relative to the repo, target in the container]. */
function bindMounts(name: string): [string, string][] {
  return (service(name).volumes ?? []).flatMap((volume): [string, string][] => {
    const [source, target] =
      typeof volume === 'string' ? volume.split(':') : [volume.type === 'bind' ? volume.source : undefined, volume.target];
    return source !== undefined && target !== undefined && /^[./]/.test(source) ? [[source, target]] : [];
  });
}

function mountTarget(name: string, source: string): string | undefined {
  return bindMounts(name).find(([from]) => join(from) === join(source))?.[1];
}

/** host:port of a URL or broker list entry. */
function endpoint(value: string): { host: string; port: number } {
  const url = new URL(value.includes('://') ? value : `tcp://${value}`);
  return { host: url.hostname, port: Number(url.port) };
}

/** The container port a service is reached on inside the compose network (its published targets). */
function containerPorts(name: string): number[] {
  return portMappings(service(name).ports).map((p) => p.target);
}

describe('docker-compose.yml', () => {
  it('has every Vigil service and every piece of infrastructure the docs name', () => {
    expect(Object.keys(compose.services).sort()).toEqual(expect.arrayContaining([...SERVICES, ...INFRASTRUCTURE]));
  });

  it('has a service for every app under apps/, so a new app cannot be left out of the stack', () => {
    const apps = readdirSync(join(ROOT, 'apps'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(apps.filter((app) => !(app in compose.services))).toEqual([]);
    expect(apps.sort()).toEqual([...SERVICES].sort());
  });

  describe.each(SERVICE_PORTS)('service %s', (name, port) => {
    it('is built from the Dockerfile with SERVICE and HTTP_PORT naming it', () => {
      const build = service(name).build;
      expect(typeof build).toBe('object');
      const { context = '.', dockerfile = 'Dockerfile', args = {} } = build as Exclude<typeof build, string | undefined>;
      expect(join(ROOT, context, dockerfile)).toBe(join(ROOT, 'Dockerfile'));
      expect(args).toEqual(expect.objectContaining({ SERVICE: name, HTTP_PORT: String(port) }));
    });

    it('has a healthcheck on /healthz or /readyz', () => {
      expect(healthcheckText(name)).toMatch(/\/(healthz|readyz)\b/);
    });

    it(`listens on ${port} on all interfaces of its container`, () => {
      expect(env(name)).toEqual(expect.objectContaining({ VIGIL_HTTP_PORT: String(port), VIGIL_HTTP_HOST: '0.0.0.0' }));
      expect(containerPorts(name)).toContain(port);
    });

    it('reaches Kafka, the registry, Postgres and Redis by their compose names', () => {
      const vars = env(name);
      const kafkaListeners = env('kafka').KAFKA_ADVERTISED_LISTENERS ?? '';
      for (const broker of (vars.VIGIL_KAFKA_BROKERS ?? '').split(',')) {
        const { host, port: brokerPort } = endpoint(broker.trim());
        expect(host).toBe('kafka');
        // The address must be one the broker advertises, or clients get sent elsewhere.
        expect(kafkaListeners).toContain(`//kafka:${brokerPort}`);
      }
      for (const [variable, target] of [
        ['VIGIL_SCHEMA_REGISTRY_URL', 'registry'],
        ['VIGIL_DATABASE_URL', 'postgres'],
        ['VIGIL_REDIS_URL', 'redis'],
      ]) {
        expect({ variable, value: vars[variable] }).toEqual({ variable, value: expect.any(String) });
        const { host, port: targetPort } = endpoint(vars[variable]);
        expect({ variable, host }).toEqual({ variable, host: target });
        expect({ variable, containerPorts: containerPorts(target) }).toEqual({
          variable,
          containerPorts: expect.arrayContaining([targetPort]),
        });
      }
      expect(new URL(vars.VIGIL_SCHEMA_REGISTRY_URL).pathname).toBe('/apis/ccompat/v7');
      expect(new URL(vars.VIGIL_DATABASE_URL).pathname).toBe('/vigil');
    });

    it('points no variable at the host loopback, which inside a container is the container itself', () => {
      const loopback = Object.entries(env(name)).filter(([, value]) => /127\.0\.0\.1|localhost|\[::1\]/.test(value));
      expect(loopback).toEqual([]);
    });

    it('sets only variables that libs/config, COMMON.md or the service itself know', () => {
      const own = new Set(sourceFiles(`apps/${name}/src`).flatMap((file) => readRepoFile(file).match(/\bVIGIL_[A-Z0-9_]+\b/g) ?? []));
      expect(Object.keys(env(name)).filter((key) => !KNOWN_VARIABLES.has(key) && !own.has(key))).toEqual([]);
    });

    it('points every *_FILE variable into a volume mounted in the container', () => {
      const mounts = ((compose.services[name]?.volumes ?? []) as unknown[])
        .map((volume) => (typeof volume === 'string' ? volume.split(':')[1] : undefined))
        .filter((target): target is string => Boolean(target));
      const files = Object.entries(env(name)).filter(([key]) => key.endsWith('_FILE'));
      for (const [key, file] of files) {
        expect({ key, mounted: mounts.some((target) => file.startsWith(`${target}/`)) }).toEqual({ key, mounted: true });
      }
    });

    it('starts once its dependencies are healthy', () => {
      const waits = dependsOn(name);
      for (const dependency of SERVICE_DEPENDENCIES) {
        expect({ dependency, condition: waits[dependency] }).toEqual({ dependency, condition: 'service_healthy' });
      }
    });
  });

  it.each(ALL_PORTS)('publishes %s on 127.0.0.1:%d', (name, port) => {
    const published = portMappings(service(name).ports).filter((p) => p.published === port);
    expect(published).toEqual([expect.objectContaining({ hostIp: '127.0.0.1' })]);
  });

  it('publishes each host port once', () => {
    const all = Object.values(compose.services).flatMap((s) => portMappings(s.ports).map((p) => p.published));
    expect(all.length).toBe(new Set(all).size);
  });

  it('gives every service that is waited on for health a healthcheck', () => {
    const awaited = Object.keys(compose.services).flatMap((name) =>
      Object.entries(dependsOn(name))
        .filter(([, condition]) => condition === 'service_healthy')
        .map(([dependency]) => dependency),
    );
    for (const dependency of new Set(awaited)) {
      expect({ dependency, healthcheck: healthcheckText(dependency) }).toEqual({
        dependency,
        healthcheck: expect.stringMatching(/\S/),
      });
    }
  });

  it('runs Kafka 4.1.1 as one KRaft broker+controller with auto topic creation off and one-replica internal topics', () => {
    const kafka = env('kafka');
    expect(service('kafka').image).toBe('apache/kafka:4.1.1');
    expect(kafka.KAFKA_PROCESS_ROLES.split(',').sort()).toEqual(['broker', 'controller']);
    expect(kafka.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    const replicationFactors = Object.entries(kafka).filter(([key]) => key.endsWith('_REPLICATION_FACTOR'));
    expect(replicationFactors.length).toBeGreaterThanOrEqual(2);
    for (const [key, value] of replicationFactors) expect({ key, value }).toEqual({ key, value: '1' });
  });

  it('lets host clients use 127.0.0.1:9092: the published port is a listener that advertises that address', () => {
    const kafka = env('kafka');
    const [mapping] = portMappings(service('kafka').ports).filter((p) => p.published === 9092);
    const listener = kafka.KAFKA_LISTENERS.split(',').find((l) => l.endsWith(`:${mapping.target}`));
    expect(listener).toBeDefined();
    const name = listener?.split('://')[0];
    expect(kafka.KAFKA_ADVERTISED_LISTENERS.split(',')).toContain(`${name}://127.0.0.1:9092`);
  });

  it('runs Apicurio Registry 3.3.3 storing in the Postgres database apicurio', () => {
    const registry = env('registry');
    expect(service('registry').image).toBe('apicurio/apicurio-registry:3.3.3');
    expect(registry).toEqual(
      expect.objectContaining({
        APICURIO_STORAGE_KIND: 'sql',
        APICURIO_STORAGE_SQL_KIND: 'postgresql',
        APICURIO_DATASOURCE_URL: 'jdbc:postgresql://postgres:5432/apicurio',
      }),
    );
    expect(registry.APICURIO_DATASOURCE_PASSWORD).toBe(env('postgres').POSTGRES_PASSWORD);
  });

  it('creates the databases vigil and apicurio from an init script it mounts', () => {
    const initDir = bindMounts('postgres').find(([, target]) => target === '/docker-entrypoint-initdb.d')?.[0];
    expect(initDir).toBeDefined();
    const sql = readdirSync(join(ROOT, initDir as string))
      .filter((file) => file.endsWith('.sql'))
      .map((file) => readRepoFile(join(initDir as string, file)))
      .join('\n');
    const created = [...sql.matchAll(/CREATE\s+DATABASE\s+"?(\w+)"?/gi)].map((m) => m[1]);
    expect(created.sort()).toEqual(['apicurio', 'vigil']);
  });

  it.each([
    ['postgres', /^postgres:16(\D|$)/],
    ['redis', /^redis:7(\D|$)/],
    ['prometheus', /^prom\/prometheus:v\d/],
    ['alertmanager', /^prom\/alertmanager:v\d/],
    ['grafana', /^grafana\/grafana:\d/],
  ])('runs %s from a pinned image', (name, image) => {
    expect(service(name).image).toMatch(image);
  });

  it('mounts only files and folders that exist in the repository', () => {
    const missing = Object.keys(compose.services)
      .flatMap((name) => bindMounts(name).map(([source]) => source))
      .filter((source) => !existsSync(join(ROOT, source)));
    expect(missing).toEqual([]);
  });

  it('declares every named volume it uses', () => {
    const named = Object.values(compose.services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => (typeof v === 'string' ? v.split(':')[0] : v.type === 'volume' ? v.source : undefined))
      .filter((source): source is string => source !== undefined && !/^[./]/.test(source));
    expect(named.filter((volume) => !(volume in (compose.volumes ?? {})))).toEqual([]);
  });

  it('leaves no variable without a default, so `docker compose up` works with no .env file', () => {
    expect(() => interpolateDeep(parseYaml('docker-compose.yml'))).not.toThrow();
    const bare = readRepoFile('docker-compose.yml').match(/\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_]\w*/g) ?? [];
    expect(bare).toEqual([]);
  });
});

describe('the ports the docs name', () => {
  const rows = readmePortRows(SERVICES);
  const documented = new Map<string, number>(ALL_PORTS);

  // Until README.md has a port table, COMMON.md's ports (checked above) are the only ones.
  if (rows.length > 0) {
    it.each(rows.map((row) => [row.service, row.port, row.line]))(
      'README.md names %s on %d (line %d), as COMMON.md does, and compose publishes it',
      (name, port) => {
        expect(port).toBe(documented.get(name as string));
        expect(portMappings(service(name as string).ports).map((p) => p.published)).toContain(port);
      },
    );

    it('README.md has a port row for every service and piece of infrastructure', () => {
      const named = new Set(rows.map((row) => row.service));
      expect([...documented.keys()].filter((name) => !named.has(name))).toEqual([]);
    });
  }
});

describe('Dockerfile', () => {
  const dockerfile = readRepoFile('Dockerfile');
  const stages = dockerfileStages(dockerfile);
  const stage = (name: string) => {
    const found = stages.get(name);
    if (found === undefined) throw new Error(`Dockerfile has no stage ${name}; it has ${[...stages.keys()].join(', ')}`);
    return found;
  };

  it('has the stages build, prune and runtime, runtime last (compose builds the last stage)', () => {
    expect([...stages.keys()]).toEqual(expect.arrayContaining(['build', 'prune', 'runtime']));
    expect([...stages.keys()].at(-1)).toBe('runtime');
  });

  it('builds everything on Node 24 with npm ci and nx', () => {
    expect(stage('build').image).toBe('node:24-bookworm-slim');
    expect(stage('build').text).toMatch(/npm ci\b/);
    expect(stage('build').text).toMatch(/nx run-many -t build/);
  });

  it('installs only production dependencies for the runtime image', () => {
    expect(stage('prune').text).toMatch(/npm ci\b[^\n]*--omit=dev/);
    expect(stage('runtime').text).toMatch(/COPY --from=prune \S*node_modules/);
  });

  it('runs the SERVICE chosen at build time, as a non-root user, with a /healthz healthcheck', () => {
    const runtime = stage('runtime');
    expect(runtime.image).toBe('node:24-bookworm-slim');
    expect(runtime.text).toMatch(/^ARG SERVICE$/m);
    expect(runtime.text).toMatch(/VIGIL_SERVICE=\$\{SERVICE\}/);
    expect(runtime.text).toMatch(/^USER (?!root|0\b)\S+/m);
    expect(runtime.text).toMatch(/^EXPOSE \S+/m);
    expect(runtime.text).toMatch(/^HEALTHCHECK .*\/healthz/m);
    expect(runtime.text).toMatch(/^CMD .*dist\/apps\/\$\{VIGIL_SERVICE\}\/src\/main\.js/m);
  });

  it.each(SERVICES)('starts %s from the main.js its Nx build writes', (name) => {
    const entrypoint = /dist\/apps\/\$\{VIGIL_SERVICE\}\/src\/main\.js/.exec(dockerfile)?.[0].replace('${VIGIL_SERVICE}', name);
    const project = JSON.parse(readRepoFile(`apps/${name}/project.json`)) as {
      targets: { build: { command: string } };
    };
    const swc = /\bswc\s+(\S+)\s+-d\s+(\S+)/.exec(project.targets.build.command);
    expect(swc).not.toBeNull();
    const [, sourceDir, outDir] = swc as RegExpExecArray;
    expect(existsSync(join(ROOT, sourceDir, 'main.ts'))).toBe(true);
    expect(entrypoint).toBe(join(outDir, sourceDir, 'main.js'));
  });

  it('keeps node_modules and dist out of the build context, so COPY . . cannot overwrite the installed ones', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining([expect.stringMatching(/^(\*\*\/)?node_modules$/), 'dist']));
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  interface ScrapeConfig {
    job_name: string;
    metrics_path?: string;
    static_configs?: { targets: string[] }[];
  }
  const prometheus = parseYaml('deploy/prometheus/prometheus.yml') as {
    global?: { scrape_interval?: string };
    scrape_configs?: ScrapeConfig[];
    alerting?: { alertmanagers?: { static_configs?: { targets: string[] }[] }[] };
    rule_files?: string[];
  };
  const targets = (prometheus.scrape_configs ?? []).flatMap((job) =>
    (job.static_configs ?? []).flatMap((c) => c.targets.map((target) => ({ target, path: job.metrics_path ?? '/metrics' }))),
  );

  it('is the config compose mounts and starts Prometheus with', () => {
    const target = mountTarget('prometheus', './deploy/prometheus');
    expect(target).toBeDefined();
    expect(service('prometheus').command).toContain(`--config.file=${target}/prometheus.yml`);
    expect(prometheus.global?.scrape_interval).toMatch(/^\d+[smh]$/);
  });

  it.each(SERVICE_PORTS)('scrapes %s on %d at /metrics', (name, port) => {
    expect(targets).toContainEqual({ target: `${name}:${port}`, path: '/metrics' });
  });

  it('scrapes itself', () => {
    expect(targets.map((t) => t.target)).toEqual(expect.arrayContaining([expect.stringMatching(/^(localhost|prometheus):9090$/)]));
  });

  it('scrapes only compose services', () => {
    const hosts = targets.map((t) => t.target.split(':')[0]).filter((host) => host !== 'localhost');
    expect(hosts.filter((host) => !(host in compose.services))).toEqual([]);
  });

  it('sends alerts to the compose Alertmanager', () => {
    const alertmanagers = (prometheus.alerting?.alertmanagers ?? []).flatMap((a) =>
      (a.static_configs ?? []).flatMap((c) => c.targets),
    );
    expect(alertmanagers).toEqual([`alertmanager:${containerPorts('alertmanager')[0]}`]);
  });

  it('loads rule files only from inside the mounted folder', () => {
    for (const file of prometheus.rule_files ?? []) expect(file).not.toMatch(/^(\/|\.\.)/);
  });
});

describe('deploy/alertmanager/alertmanager.yml', () => {
  const alertmanager = parseYaml('deploy/alertmanager/alertmanager.yml') as {
    route?: { receiver?: string };
    receivers?: { name: string; webhook_configs?: { url: string; send_resolved?: boolean }[] }[];
  };

  it('is the config compose mounts and starts Alertmanager with', () => {
    const target = mountTarget('alertmanager', './deploy/alertmanager');
    expect(target).toBeDefined();
    expect(service('alertmanager').command).toContain(`--config.file=${target}/alertmanager.yml`);
  });

  it("routes every alert to the alerter's webhook, resolved ones included", () => {
    const receiver = alertmanager.receivers?.find((r) => r.name === alertmanager.route?.receiver);
    expect(receiver).toBeDefined();
    const port = env('alerter').VIGIL_HTTP_PORT;
    expect(receiver?.webhook_configs).toEqual([
      { url: `http://alerter:${port}/api/alertmanager/webhook`, send_resolved: true },
    ]);
  });
});

describe('deploy/grafana/provisioning', () => {
  it('provisions the compose Prometheus as the default datasource', () => {
    const { datasources } = parseYaml('deploy/grafana/provisioning/datasources/prometheus.yml') as {
      datasources: { type: string; url: string; isDefault?: boolean }[];
    };
    expect(datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true }),
    ]);
    expect(containerPorts('prometheus')).toContain(9090);
  });

  it('loads dashboards from the folder compose mounts deploy/grafana/dashboards at', () => {
    const { providers } = parseYaml('deploy/grafana/provisioning/dashboards/vigil.yml') as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(mountTarget('grafana', './deploy/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const dashboards = mountTarget('grafana', './deploy/grafana/dashboards');
    expect(dashboards).toBeDefined();
    expect(providers).toEqual([expect.objectContaining({ type: 'file', options: { path: dashboards } })]);
  });
});

// interpolate is what makes the checks above see what compose would; pin its rules.
describe('compose interpolation as read by this test', () => {
  it.each([
    ['${A:-x}', 'x'],
    ['${A-x}', 'x'],
    ['${A}', ''],
    ['$A', ''],
    ['$$A', '$A'],
    ['postgres://u:${P:-pw}@postgres:5432/vigil', 'postgres://u:pw@postgres:5432/vigil'],
  ])('%s becomes %s', (text, expected) => {
    expect(interpolate(text)).toBe(expected);
  });

  it('rejects ${X:?message}, as compose does when X is unset', () => {
    expect(() => interpolate('${X:?set X}')).toThrow('X must be set: set X');
  });
});
