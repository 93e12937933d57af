import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const FILE = join(ROOT, 'docker-compose.yml');
const compose = parse(readFileSync(FILE, 'utf8'));
const services: Record<string, Record<string, unknown> & { image: string; environment?: Record<string, unknown>; volumes?: string[] }> = compose.services;

interface LintResult {
  messages: { rule: string; message: string; type: string }[];
}

describe('docker-compose.yml', () => {
  it('passes dclint: the compose specification schema and its rules, no warnings', () => {
    const bin = join(ROOT, 'node_modules/dclint', createRequire(import.meta.url)('dclint/package.json').bin.dclint);
    const out = execFileSync(process.execPath, [bin, FILE, '-f', 'json'], { encoding: 'utf8' });
    const [result] = JSON.parse(out) as LintResult[];
    expect(result!.messages.map((m) => `${m.rule}: ${m.message}`)).toEqual([]);
  });

  it('pins every image', () => {
    expect(services.clickhouse!.image).toMatch(/^clickhouse\/clickhouse-server:\d+\.\d+\.\d+(\.\d+)?$/);
    expect(services.grafana!.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(services.grafana!.environment!.GF_PLUGINS_PREINSTALL_SYNC).toMatch(/^grafana-clickhouse-datasource@\d+\.\d+\.\d+$/);
    expect(services.alertmanager!.image).toMatch(/^prom\/alertmanager:v0\.28\.\d+$/);
    expect(services.demo!.build).toBe('.');
    expect(services.webhook!.image).toMatch(/^mendhak\/http-https-echo:\d+$/);
  });

  it('gives every long-running service a health check, and waits for healthy dependencies', () => {
    for (const [name, s] of Object.entries(services)) expect(s.healthcheck, name).toBeDefined();
    expect(services.grafana!.depends_on).toMatchObject({ clickhouse: { condition: 'service_healthy' }, alertmanager: { condition: 'service_healthy' } });
    expect(services.demo!.depends_on).toMatchObject({ clickhouse: { condition: 'service_healthy' } });
  });

  it('runs the demo as a non-admin writer into the database it creates and the dashboards read', () => {
    expect(services.demo!.command).toEqual(['genai-cost', 'demo', '--continuous', '--database', 'genai_cost', '--otlp-endpoint', 'http://collector:4318', '--otlp-share', '0.5']);
    expect(services.demo!.environment).toMatchObject({ CLICKHOUSE_URL: 'http://clickhouse:8123', CLICKHOUSE_USER: 'genai_cost_writer' });
    expect(services.clickhouse!.environment!.CLICKHOUSE_USER).not.toBe(services.demo!.environment!.CLICKHOUSE_USER);
  });

  it('serves Grafana on localhost:3000 with the provisioning, dashboards and the webhook sink alertmanager posts to', () => {
    expect(services.grafana!.ports).toContain('127.0.0.1:3000:3000');
    expect(services.grafana!.volumes).toEqual(expect.arrayContaining(['./grafana/provisioning:/etc/grafana/provisioning:ro', './grafana/dashboards:/var/lib/grafana/dashboards:ro']));
    expect(services.webhook!.environment!.HTTP_PORT).toBe(8080);
    expect(readFileSync(join(ROOT, 'grafana/alertmanager/alertmanager.yml'), 'utf8')).toContain('http://webhook:8080/genai-cost/alerts');
  });

  it('runs the demo from the built image: no source tree, no node_modules volume, a health check of its own, an init process', () => {
    expect(services.demo!.volumes).toBeUndefined();
    expect(compose.volumes).not.toHaveProperty('demo-node-modules');
    expect(services.demo!.healthcheck).toMatchObject({ test: ['CMD', 'node', '/app/demo-healthcheck.mjs'] });
    expect(services.demo!.init).toBe(true);
    expect(services.serve!.init).toBe(true);
  });

  it('mounts only files that exist', () => {
    for (const s of Object.values(services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(join(ROOT, source)), v).toBe(true);
      }
    }
  });
});

describe('provisioning', () => {
  const read = (path: string) => parse(readFileSync(join(ROOT, path), 'utf8'));

  it('reads ClickHouse as the read-only grafana_reader with the password from the environment', () => {
    const [ds] = read('grafana/provisioning/datasources/clickhouse.yaml').datasources;
    expect(ds).toMatchObject({
      type: 'grafana-clickhouse-datasource',
      uid: 'genai-cost-clickhouse',
      jsonData: { host: 'clickhouse', port: 9000, protocol: 'native', username: 'grafana_reader', defaultDatabase: 'genai_cost' },
      secureJsonData: { password: '$GRAFANA_CLICKHOUSE_PASSWORD' },
    });
    const users = readFileSync(join(ROOT, 'grafana/clickhouse/users.d/genai-cost-users.xml'), 'utf8');
    const reader = /<grafana_reader>([\s\S]*?)<\/grafana_reader>/.exec(users)![1]!;
    expect(reader).toContain('<password from_env="GRAFANA_CLICKHOUSE_PASSWORD"/>');
    expect(reader).toContain('<profile>genai_cost_readonly</profile>');
    expect(reader.match(/GRANT [^<]+/g)).toEqual(['GRANT SELECT ON genai_cost.*', 'GRANT SELECT ON genai_cost_demo.*']);
    expect(users).toMatch(/<genai_cost_readonly>\s*<readonly>[12]<\/readonly>/);
  });

  it('loads the dashboards from the mounted directory and sends alerts to Alertmanager', () => {
    expect(read('grafana/provisioning/dashboards/genai-cost.yaml').providers[0]).toMatchObject({ type: 'file', options: { path: '/var/lib/grafana/dashboards' } });
    const alerting = read('grafana/provisioning/alerting/contact-points.yaml');
    expect(alerting.contactPoints[0].receivers[0]).toMatchObject({ type: 'prometheus-alertmanager', settings: { url: 'http://alertmanager:9093' } });
    expect(alerting.policies[0].receiver).toBe(alerting.contactPoints[0].name);
  });

  it('starts Alertmanager through start.sh, which runs without Slack when its URL file is missing', () => {
    expect(services.alertmanager!.entrypoint).toEqual(['sh', '/etc/alertmanager/start.sh']);
    expect(services.alertmanager!.volumes).toContain('./grafana/alertmanager:/etc/alertmanager:ro');
  });

  it('keeps the Slack webhook URL out of git', () => {
    expect(readFileSync(join(ROOT, 'grafana/alertmanager/secrets/.gitignore'), 'utf8')).toBe('*\n!.gitignore\n');
  });
});
