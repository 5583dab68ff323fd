// What the observability kit (infra/prometheus, infra/grafana, docker-compose.yml's observability
// profile) is made of, read the way Prometheus, Grafana and Compose read it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const root = join(import.meta.dirname, '..');
export const readYaml = <T>(path: string) => parse(readFileSync(join(root, path), 'utf8')) as T;

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface GrafanaPanel {
  title: string;
  type: string;
  datasource: { uid: string };
  targets: Array<{ expr: string }>;
}

export const alertRules = () =>
  readYaml<{ groups: Array<{ name: string; rules: AlertRule[] }> }>('infra/prometheus/alerts.yml').groups.flatMap(
    (g) => g.rules,
  );
export const dashboard = () =>
  JSON.parse(readFileSync(join(root, 'infra/grafana/hunt-matcher.json'), 'utf8')) as {
    uid: string;
    title: string;
    panels: GrafanaPanel[];
  };

/** Every hunt_matcher_* name in the dashboard's and the alerts' PromQL expressions. */
export function metricNamesUsed(): Set<string> {
  const exprs = [
    ...alertRules().map((r) => r.expr),
    ...dashboard().panels.flatMap((p) => p.targets.map((t) => t.expr)),
  ];
  return new Set(exprs.flatMap((e) => [...e.matchAll(/\bhunt_matcher_[a-z0-9_]+/g)].map((m) => m[0])));
}
