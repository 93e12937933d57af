import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALERTMANAGER_CONFIG, ALERTMANAGER_WEBHOOK_ONLY_CONFIG, withoutSlack } from '@genai-cost/grafana';
import { findBinary, requireBinary } from './support/binaries.js';
import { freePort, startHttpSink, waitFor } from './support/httpSink.js';

const ROOT = join(import.meta.dirname, '..');
const CONFIG = join(ROOT, ALERTMANAGER_CONFIG);
const WEBHOOK_ONLY = join(ROOT, ALERTMANAGER_WEBHOOK_ONLY_CONFIG);
const START = join(ROOT, 'grafana/alertmanager/start.sh');
const alertmanager = findBinary('prometheus-alertmanager', 'alertmanager');
const amtool = findBinary('amtool');
const available =
  requireBinary(alertmanager, 'the Alertmanager binary', 'install Debian\'s prometheus-alertmanager') &&
  requireBinary(amtool, 'amtool', 'install Debian\'s prometheus-alertmanager');

function routes(config: string, ...labels: string[]): string {
  return execFileSync(amtool!, ['config', 'routes', 'test', `--config.file=${config}`, ...labels], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

describe('alertmanager.webhook-only.yml', () => {
  it('is alertmanager.yml without its Slack integrations (npm run grafana:generate)', () => {
    expect(readFileSync(WEBHOOK_ONLY, 'utf8')).toBe(withoutSlack(readFileSync(CONFIG, 'utf8')));
    expect(readFileSync(WEBHOOK_ONLY, 'utf8')).not.toContain('slack_configs');
  });
});

describe.runIf(available)('alertmanager.yml', () => {
  it.each([ALERTMANAGER_CONFIG, ALERTMANAGER_WEBHOOK_ONLY_CONFIG])('%s passes amtool check-config', (config) => {
    expect(() => execFileSync(amtool!, ['check-config', join(ROOT, config)], { stdio: 'pipe' })).not.toThrow();
  });

  it.each([
    [['severity=critical', 'tier=free'], 'slack-critical,webhook'],
    [['severity=critical', 'tier=enterprise'], 'slack-critical,webhook'],
    [['severity=warning', 'tier=team'], 'slack-paid-tiers,webhook'],
    [['severity=warning', 'tier=free'], 'webhook'],
    [['severity=info', 'feature=chat'], 'webhook'],
    // Budget and loop-guard rules: a feature at its hard cap, a paying tenant past its soft cap, loops, a user near budget.
    [['alertname=Feature at the hard cap of its monthly LLM budget', 'severity=critical', 'feature=search', 'action=block'], 'slack-critical,webhook'],
    [['alertname=Tenant past the soft cap of its monthly LLM budget', 'severity=warning', 'tenant=acme', 'tier=team'], 'slack-paid-tiers,webhook'],
    [['alertname=Agent loops found by the loop guard', 'severity=warning', 'tier=free', 'tool=search'], 'webhook'],
    [['alertname=User past the soft cap of monthly LLM budget', 'severity=info', 'tier=solo', 'user=u1'], 'webhook'],
  ])('routes %j to %s, with or without Slack', (labels, receivers) => {
    expect(routes(CONFIG, ...labels)).toBe(receivers);
    expect(routes(WEBHOOK_ONLY, ...labels)).toBe(receivers);
  });
});

/** A running Alertmanager and what it has logged. */
interface Running {
  url: string;
  log: () => string;
  stop: () => void;
}

describe.runIf(available)('Alertmanager started by start.sh, end to end', () => {
  let sink: Awaited<ReturnType<typeof startHttpSink>>;
  const started: ChildProcess[] = [];

  /**
   * The committed files in a directory laid out as the container's /etc/alertmanager, with the
   * destinations pointed at the local sink and the waits shortened; a Slack URL file when asked.
   */
  function install(slack: boolean): string {
    const dir = mkdtempSync(join(tmpdir(), 'genai-cost-am-'));
    mkdirSync(join(dir, 'secrets'));
    copyFileSync(START, join(dir, 'start.sh'));
    for (const file of [CONFIG, WEBHOOK_ONLY]) {
      const config = parse(readFileSync(file, 'utf8'));
      Object.assign(config.route, { group_wait: '0s', group_interval: '1s' });
      for (const receiver of config.receivers) {
        for (const s of receiver.slack_configs ?? []) s.api_url_file = join(dir, 'secrets/slack-webhook-url');
        for (const w of receiver.webhook_configs ?? []) w.url = `${sink.url}/webhook`;
      }
      writeFileSync(join(dir, file.split('/').pop()!), stringify(config));
    }
    if (slack) writeFileSync(join(dir, 'secrets/slack-webhook-url'), `${sink.url}/slack`);
    return dir;
  }

  /** Runs Alertmanager through `sh start.sh`, or with `config` directly, and waits until it is ready. */
  async function start(dir: string, config?: string): Promise<Running> {
    const port = await freePort();
    const flags = [`--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='];
    const child =
      config === undefined
        ? spawn('sh', [join(dir, 'start.sh'), ...flags], { env: { ...process.env, ALERTMANAGER: alertmanager }, stdio: ['ignore', 'ignore', 'pipe'] })
        : spawn(alertmanager!, [`--config.file=${join(dir, config)}`, ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
    started.push(child);
    let log = '';
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/-/ready`).then((r) => r.ok).catch(() => false)) || undefined, 15_000, 'Alertmanager to be ready');
    return { url, log: () => log, stop: () => child.kill() };
  }

  async function post(url: string, alerts: { alertname: string; labels: Record<string, string> }[]): Promise<void> {
    const now = new Date().toISOString();
    const res = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        alerts.map(({ alertname, labels }) => ({
          labels: { alertname, grafana_folder: 'genai-cost', __alert_rule_uid__: `uid-${alertname.length}`, ...labels },
          annotations: { summary: `${alertname}: ${labels.tier}`, __value_string__: "[ var='B' value=-12.5 ]", dashboard: 'http://localhost:3000/d/genai-cost-unit-economics' },
          startsAt: now,
          generatorURL: 'http://localhost:3000/alerting/grafana/uid/view',
        })),
      ),
    });
    expect(res.status).toBe(200);
  }

  const received = (path: string, alertname: string) => sink.received.filter((r) => r.path === path && JSON.stringify(r.body).includes(alertname));

  beforeAll(async () => {
    sink = await startHttpSink();
  });

  afterAll(async () => {
    for (const child of started) child.kill();
    await sink?.close();
  });

  it('with the Slack URL file, delivers Grafana-shaped alerts to the receivers their severity and tier select', async () => {
    const am = await start(install(true));
    try {
      await post(am.url, [
        { alertname: 'Tier gross margin below target', labels: { severity: 'critical', tier: 'solo' } },
        { alertname: 'Feature cost-to-revenue ratio above threshold', labels: { severity: 'warning', tier: 'team', feature: 'chat' } },
        { alertname: 'Unpriced GenAI spans', labels: { severity: 'warning', tier: 'free' } },
      ]);
      const slack = await waitFor(() => {
        const got = sink.received.filter((r) => r.path === '/slack');
        return got.length >= 2 ? got : undefined;
      }, 20_000, 'two Slack notifications');
      expect(slack.map((r) => (r.body as { channel: string }).channel).sort()).toEqual(['#genai-cost', '#genai-cost-critical']);
      const webhook = await waitFor(() => {
        const got = sink.received.filter((r) => r.path === '/webhook');
        return got.length >= 3 ? got : undefined;
      }, 20_000, 'three webhook notifications');
      const bodies = webhook.map((r) => r.body as { receiver: string; version: string; alerts: { labels: Record<string, string> }[] });
      expect(bodies.every((b) => b.receiver === 'webhook' && b.version === '4')).toBe(true);
      expect(bodies.flatMap((b) => b.alerts.map((a) => a.labels.tier)).sort()).toEqual(['free', 'solo', 'team']);
      expect(am.log()).not.toContain('Slack receivers off');
    } finally {
      am.stop();
    }
  });

  it('without the Slack URL file, runs the webhook-only routing and logs no failed notification', async () => {
    const am = await start(install(false));
    try {
      const status = (await (await fetch(`${am.url}/api/v2/status`)).json()) as { config: { original: string } };
      expect(status.config.original).not.toContain('slack_configs');
      await post(am.url, [{ alertname: 'Hourly LLM spend spike', labels: { severity: 'critical', tier: 'free' } }]);
      await waitFor(() => received('/webhook', 'Hourly LLM spend spike')[0], 20_000, 'the webhook notification');
      expect(am.log()).toContain('Slack receivers off, alerts go to the webhook only');
      expect(am.log()).not.toMatch(/level=(error|warn)/);
      expect(received('/slack', 'Hourly LLM spend spike')).toEqual([]);
    } finally {
      am.stop();
    }
  });

  it("mutes a budget's soft-cap alert while its hard-cap alert fires, for that feature or tenant only", async () => {
    const am = await start(install(false));
    try {
      await post(am.url, [
        { alertname: 'Feature past the soft cap of its monthly LLM budget', labels: { severity: 'warning', feature: 'search', action: 'warn' } },
        { alertname: 'Feature at the hard cap of its monthly LLM budget', labels: { severity: 'critical', feature: 'search', action: 'warn' } },
        { alertname: 'Feature past the soft cap of its monthly LLM budget', labels: { severity: 'warning', feature: 'summarizer', action: 'block' } },
        { alertname: 'Tenant past the soft cap of its monthly LLM budget', labels: { severity: 'warning', tenant: 'acme', tier: 'team', action: 'degrade' } },
        { alertname: 'Tenant at the hard cap of its monthly LLM budget', labels: { severity: 'critical', tenant: 'acme', tier: 'team', action: 'degrade' } },
      ]);
      type Listed = { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } };
      const states = await waitFor(async () => {
        const alerts = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as Listed[];
        return alerts.length === 5 && alerts.some((a) => a.status.state === 'suppressed') ? alerts : undefined;
      }, 20_000, 'the five alerts, with the inhibition applied');
      const state = (name: string, key: string, value: string) => states.find((a) => a.labels.alertname === name && a.labels[key] === value)!.status;
      expect(state('Feature past the soft cap of its monthly LLM budget', 'feature', 'search')).toMatchObject({ state: 'suppressed', inhibitedBy: [expect.any(String)] });
      expect(state('Tenant past the soft cap of its monthly LLM budget', 'tenant', 'acme')).toMatchObject({ state: 'suppressed' });
      expect(state('Feature past the soft cap of its monthly LLM budget', 'feature', 'summarizer')).toMatchObject({ state: 'active', inhibitedBy: [] });
      expect(state('Feature at the hard cap of its monthly LLM budget', 'feature', 'search')).toMatchObject({ state: 'active' });
      await waitFor(() => received('/webhook', 'summarizer')[0], 20_000, "the other feature's soft-cap notification");
    } finally {
      am.stop();
    }
  });

  it('alertmanager.yml itself, without the file, logs a failed notification for every critical alert (what start.sh avoids)', async () => {
    const am = await start(install(false), 'alertmanager.yml');
    try {
      await post(am.url, [{ alertname: 'Unpriced LLM calls', labels: { severity: 'critical', tier: 'team' } }]);
      await waitFor(() => (/level=error.*Notify for alerts failed.*slack/.test(am.log()) ? true : undefined), 20_000, 'the Slack notify failure');
    } finally {
      am.stop();
    }
  });
});
