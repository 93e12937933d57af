import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { findBinary, requireBinary } from './support/binaries.js';
import { freePort, startHttpSink, waitFor } from './support/httpSink.js';

const CONFIG = join(import.meta.dirname, '../grafana/alertmanager/alertmanager.yml');
const alertmanager = findBinary('prometheus-alertmanager', 'alertmanager');
const amtool = findBinary('amtool');
const available =
  requireBinary(alertmanager, 'the Alertmanager binary', 'install Debian\'s prometheus-alertmanager') &&
  requireBinary(amtool, 'amtool', 'install Debian\'s prometheus-alertmanager');

function routes(...labels: string[]): string {
  return execFileSync(amtool!, ['config', 'routes', 'test', `--config.file=${CONFIG}`, ...labels], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

describe.runIf(available)('alertmanager.yml', () => {
  it('passes amtool check-config', () => {
    expect(() => execFileSync(amtool!, ['check-config', CONFIG], { stdio: 'pipe' })).not.toThrow();
  });

  it.each([
    [['severity=critical', 'tier=free'], 'slack-critical,webhook'],
    [['severity=critical', 'tier=enterprise'], 'slack-critical,webhook'],
    [['severity=warning', 'tier=team'], 'slack-paid-tiers,webhook'],
    [['severity=warning', 'tier=free'], 'webhook'],
    [['severity=info', 'feature=chat'], 'webhook'],
  ])('routes %j to %s', (labels, receivers) => {
    expect(routes(...labels)).toBe(receivers);
  });
});

describe.runIf(available)('Alertmanager routing, end to end', () => {
  let am: ChildProcess;
  let sink: Awaited<ReturnType<typeof startHttpSink>>;
  let amUrl: string;

  beforeAll(async () => {
    sink = await startHttpSink();
    const dir = mkdtempSync(join(tmpdir(), 'genai-cost-am-'));
    // The committed routing tree, with its destinations pointed at the local sink and its waits shortened.
    const config = parse(readFileSync(CONFIG, 'utf8'));
    Object.assign(config.route, { group_wait: '0s', group_interval: '1s' });
    writeFileSync(join(dir, 'slack-url'), `${sink.url}/slack`);
    for (const receiver of config.receivers) {
      for (const s of receiver.slack_configs ?? []) s.api_url_file = join(dir, 'slack-url');
      for (const w of receiver.webhook_configs ?? []) w.url = `${sink.url}/webhook`;
    }
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(config));
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = spawn(
      alertmanager!,
      [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
      { stdio: 'ignore' },
    );
    await waitFor(async () => (await fetch(`${amUrl}/-/ready`).then((r) => r.ok).catch(() => false)) || undefined, 15_000, 'Alertmanager to be ready');
  });

  afterAll(async () => {
    am?.kill();
    await sink?.close();
  });

  it('delivers Grafana-shaped alerts to the receivers their severity and tier select', async () => {
    const now = new Date().toISOString();
    const grafanaAlert = (alertname: string, labels: Record<string, string>) => ({
      labels: { alertname, grafana_folder: 'genai-cost', __alert_rule_uid__: `uid-${alertname.length}`, ...labels },
      annotations: { summary: `${alertname}: ${labels.tier}`, __value_string__: '[ var=\'B\' value=-12.5 ]', dashboard: 'http://localhost:3000/d/genai-cost-unit-economics' },
      startsAt: now,
      generatorURL: 'http://localhost:3000/alerting/grafana/uid/view',
    });
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        grafanaAlert('Tier gross margin below target', { severity: 'critical', tier: 'solo' }),
        grafanaAlert('Feature cost-to-revenue ratio above threshold', { severity: 'warning', tier: 'team', feature: 'chat' }),
        grafanaAlert('Unpriced GenAI spans', { severity: 'warning', tier: 'free' }),
      ]),
    });
    expect(res.status).toBe(200);

    const slack = await waitFor(() => {
      const got = sink.received.filter((r) => r.path === '/slack');
      return got.length >= 2 ? got : undefined;
    }, 20_000, 'two Slack notifications');
    const channels = slack.map((r) => (r.body as { channel: string }).channel).sort();
    expect(channels).toEqual(['#genai-cost', '#genai-cost-critical']);

    const webhook = await waitFor(() => {
      const got = sink.received.filter((r) => r.path === '/webhook');
      return got.length >= 3 ? got : undefined;
    }, 20_000, 'three webhook notifications');
    const bodies = webhook.map((r) => r.body as { receiver: string; version: string; alerts: { labels: Record<string, string> }[] });
    expect(bodies.every((b) => b.receiver === 'webhook' && b.version === '4')).toBe(true);
    expect(bodies.flatMap((b) => b.alerts.map((a) => a.labels.tier)).sort()).toEqual(['free', 'solo', 'team']);
  });
});
