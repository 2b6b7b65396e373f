import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

// No Docker engine runs here, so the deployment is checked by its structure.
const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as {
  services: Record<
    string,
    {
      image?: string;
      build?: string;
      environment?: Record<string, string | number>;
      ports?: string[];
      depends_on?: Record<string, { condition: string }>;
      volumes?: string[];
      deploy?: { replicas?: number };
    }
  >;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, Temporal persisting to it, the Web UI and Tandem workers', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'postgresql',
        'tandem-start',
        'tandem-worker',
        'temporal',
        'temporal-admin-tools',
        'temporal-create-namespace',
        'temporal-ui',
      ].sort(),
    );
    expect(services.postgresql.image).toMatch(/^postgres:\d+/);
    expect(services.temporal.image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(services['tandem-worker'].build).toBe('.');
    expect(existsSync(new URL('Dockerfile', root))).toBe(true);
  });

  it('points Temporal at PostgreSQL and everything else at Temporal', () => {
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services['temporal-admin-tools'].environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgresql',
    });
    for (const name of ['temporal-ui', 'tandem-worker', 'tandem-start', 'temporal-create-namespace']) {
      expect(services[name].environment?.TEMPORAL_ADDRESS, name).toBe('temporal:7233');
    }
    expect(services['tandem-worker'].environment?.DATABASE_URL).toMatch(
      /^postgres:\/\/\w+:\w+@postgresql:5432\/tandem$/,
    );
  });

  it('exposes the Temporal frontend, the Web UI and PostgreSQL', () => {
    expect(services.temporal.ports).toContain('7233:7233');
    expect(services['temporal-ui'].ports).toContain('8080:8080');
    expect(services.postgresql.ports).toContain('5432:5432');
  });

  it('starts services in order: database, schema, server, namespace, workers, then the workflow', () => {
    expect(services['temporal-admin-tools'].depends_on?.postgresql.condition).toBe('service_healthy');
    expect(services.temporal.depends_on?.['temporal-admin-tools'].condition).toBe('service_completed_successfully');
    expect(services['temporal-create-namespace'].depends_on?.temporal.condition).toBe('service_healthy');
    expect(services['tandem-worker'].depends_on?.['temporal-create-namespace'].condition).toBe(
      'service_completed_successfully',
    );
    expect(services['tandem-start'].depends_on).toHaveProperty('tandem-worker');
  });

  it('runs several worker replicas and passes Salesforce credentials only from the host environment', () => {
    expect(services['tandem-worker'].deploy?.replicas).toBeGreaterThanOrEqual(2);
    const env = services['tandem-worker'].environment ?? {};
    for (const key of ['SF_USERNAME', 'SF_PASSWORD', 'SF_SECURITY_TOKEN', 'SF_CLIENT_ID', 'SF_CLIENT_SECRET']) {
      expect(String(env[key]), key).toMatch(new RegExp(`^\\$\\{${key}:-\\}$`));
    }
  });

  it('mounts the setup scripts that exist in the repository', () => {
    const mounted = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .filter((v) => v.startsWith('./'));
    expect(mounted.length).toBeGreaterThanOrEqual(3);
    for (const volume of mounted) expect(existsSync(new URL(volume.split(':')[0], root)), volume).toBe(true);
  });
});
