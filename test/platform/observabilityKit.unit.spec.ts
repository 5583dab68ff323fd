// We have no Docker engine here: the compose file's observability profile is checked for what
// Compose, Prometheus and Grafana would read, and every file it mounts is there.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertRules, dashboard, readYaml, root } from '../../testkit/observabilityKit.js';

interface Service {
  image?: string;
  profiles?: string[];
  volumes?: string[];
  command?: string[];
  depends_on?: Record<string, unknown> | string[];
}
const compose = () => readYaml<{ services: Record<string, Service> }>('docker-compose.yml');
/** host path -> container path of a service's bind mounts. */
const mounts = (service: Service) =>
  new Map(
    (service.volumes ?? []).filter((v) => v.startsWith('./')).map((v) => [v.split(':')[0]!.slice(2), v.split(':')[1]!]),
  );

describe('the observability profile of docker-compose.yml', () => {
  it('adds Prometheus and Grafana under the observability profile only', () => {
    const { services } = compose();
    expect(services.prometheus?.profiles).toEqual(['observability']);
    expect(services.grafana?.profiles).toEqual(['observability']);
    expect(services.prometheus?.image).toMatch(/^prom\/prometheus:v\d/);
    expect(services.grafana?.image).toMatch(/^grafana\/grafana:\d/);
    for (const name of ['kafka', 'postgres', 'schema-registry', 'migrate', 'hunt-matcher'])
      expect(services[name]?.profiles, name).toBeUndefined();
  });

  it('mounts files that exist into the places Prometheus and Grafana read', () => {
    const { services } = compose();
    for (const service of [services.prometheus!, services.grafana!]) {
      for (const host of mounts(service).keys()) expect(existsSync(join(root, host)), host).toBe(true);
    }
    const prometheus = mounts(services.prometheus!);
    expect(prometheus.get('infra/prometheus/prometheus.yml')).toBe('/etc/prometheus/prometheus.yml');
    expect(services.prometheus!.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    // The config's rule file is where alerts.yml is mounted, and it scrapes the service.
    const config = readYaml<{
      rule_files: string[];
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    }>('infra/prometheus/prometheus.yml');
    expect(config.rule_files).toEqual([prometheus.get('infra/prometheus/alerts.yml')]);
    expect(config.scrape_configs[0]!.static_configs[0]!.targets).toEqual(['hunt-matcher:3000']);

    const grafana = mounts(services.grafana!);
    expect(grafana.get('infra/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const providers = readYaml<{ providers: Array<{ options: { path: string } }> }>(
      'infra/grafana/provisioning/dashboards/hunt-matcher.yml',
    ).providers;
    expect(grafana.get('infra/grafana/hunt-matcher.json')).toBe(`${providers[0]!.options.path}/hunt-matcher.json`);
    const datasources = readYaml<{ datasources: Array<{ uid: string; url: string }> }>(
      'infra/grafana/provisioning/datasources/prometheus.yml',
    ).datasources;
    expect(datasources[0]!.url).toBe('http://prometheus:9090');
    expect(new Set(dashboard().panels.map((p) => p.datasource.uid))).toEqual(new Set([datasources[0]!.uid]));
  });
});

describe('the alerts', () => {
  it('cover what the issue asks, each with a summary', () => {
    const rules = alertRules();
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'HuntMatcherConsumerLagGrowing',
      'HuntMatcherDeadLetters',
      'HuntMatcherNotReady',
      'HuntMatcherOutboxStuck',
      'HuntMatcherSendFailures',
      'HuntMatcherSendingHeld',
      'HuntMatcherWebhookEndpointDisabled',
      'HuntMatcherWebhookEndpointsFailing',
    ]);
    for (const r of rules) expect(r.annotations?.summary, r.alert).toBeTruthy();
    const expr = (name: string) => rules.find((r) => r.alert === name)!;
    expect(expr('HuntMatcherOutboxStuck').expr).toContain('hunt_matcher_outbox_oldest_age_seconds) > 60');
    expect(expr('HuntMatcherConsumerLagGrowing')).toMatchObject({
      for: '5m',
      expr: expect.stringContaining('[5m]') as string,
    });
    expect(expr('HuntMatcherSendFailures').expr).toMatch(/\[15m\][\s\S]*> 0\.2/);
    expect(expr('HuntMatcherSendingHeld').expr).toBe('max by (scope, reason) (hunt_matcher_sending_held) > 0');
    // An endpoint disabled for failing five days is an alert until it is enabled again.
    expect(expr('HuntMatcherWebhookEndpointDisabled').expr).toContain(
      'hunt_matcher_webhook_endpoints_failing{state="disabled"}) > 0',
    );
  });
});

describe('the dashboard', () => {
  it('shows the figures of the console, with a query on every panel', () => {
    const d = dashboard();
    expect(d.uid).toBe('hunt-matcher');
    for (const p of d.panels) expect(p.targets.length, p.title).toBeGreaterThan(0);
    const all = d.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const name of [
      'outbox_published_total',
      'outbox_backlog_rows',
      'outbox_oldest_age_seconds',
      'consumer_lag_messages',
      'sender_messages_total',
      'consumer_dead_lettered_total',
    ]) {
      expect(all).toContain(`hunt_matcher_${name}`);
    }
    expect(all).toContain('histogram_quantile(0.5, sum by (hop, le) (rate(hunt_matcher_hop_seconds_bucket');
    expect(all).toContain('histogram_quantile(0.99, sum by (hop, le) (rate(hunt_matcher_hop_seconds_bucket');
  });
});
