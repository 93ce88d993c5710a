// Checks of the deployment files in infra/:
//   - every YAML file parses (PyYAML, through python3), and every Kubernetes
//     object has apiVersion, kind and metadata.name; the workloads refer only
//     to ConfigMaps, Secrets and claims that exist here (or to the two TLS
//     secrets made from files); the counts that must agree do;
//   - every nats-server config (infra/nats/**.conf and the one inside the
//     Kubernetes ConfigMap) passes `nats-server -t` with test certificates made
//     by openssl, and fails it when a secret is missing from the environment;
//   - the three cluster configs, on loopback ports, form a real JetStream
//     cluster that a datarus client reaches over TLS with the password, and
//     that takes the example run config's three-replica streams;
//   - the example run config is a valid run config with the flags the
//     manifests add; the Slurm script is valid bash.
// Needs python3 with PyYAML (Debian: python3-yaml), openssl and nats-server.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunConfig } from '@datarus/config';
import { connectNats, ensureStreams } from '@datarus/transport';
import { natsServerBinary } from '../test/support/nats-server.js';

const INFRA = dirname(fileURLToPath(import.meta.url));
const K8S = join(INFRA, 'k8s');

/** Files under `dir` whose names end with one of `exts`, sorted. */
function filesUnder(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, exts));
    else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
  }
  return out.sort();
}

/** Every document of a YAML file, as PyYAML's safe loader reads it. */
function loadYaml(path: string): unknown[] {
  const script = 'import json, sys, yaml\nwith open(sys.argv[1]) as f:\n    print(json.dumps(list(yaml.safe_load_all(f))))';
  const r = spawnSync('python3', ['-c', script, path], { encoding: 'utf8' });
  if (r.error || (r.status !== 0 && /No module named .?yaml/.test(r.stderr))) {
    throw new Error(`parsing YAML needs python3 with PyYAML (apt-get install python3-yaml): ${r.error?.message ?? r.stderr}`);
  }
  if (r.status !== 0) throw new Error(`${relative(INFRA, path)} is not valid YAML:\n${r.stderr}`);
  return (JSON.parse(r.stdout) as unknown[]).filter((d) => d !== null);
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** Secrets made from certificate files with kubectl (02-nats-credentials.yaml says how). */
const SECRETS_FROM_FILES = ['nats-tls', 'policy-tls'];

const yamlFiles = filesUnder(INFRA, ['.yaml', '.yml']);
const k8sFiles = filesUnder(K8S, ['.yaml', '.yml']);
const natsConfs = filesUnder(join(INFRA, 'nats'), ['.conf']);

let objects: { file: string; obj: K8sObject }[] = [];
const named = (kind: string, name: string) => objects.find((o) => o.obj.kind === kind && o.obj.metadata.name === name)?.obj;

describe('YAML and Kubernetes objects', () => {
  beforeAll(() => {
    objects = k8sFiles.flatMap((file) => loadYaml(file).map((obj) => ({ file: relative(INFRA, file), obj: obj as K8sObject })));
  });

  it('parses every YAML file', () => {
    expect(yamlFiles.length).toBeGreaterThanOrEqual(k8sFiles.length);
    for (const f of yamlFiles) expect(() => loadYaml(f), relative(INFRA, f)).not.toThrow();
  });

  it('gives every object apiVersion, kind and metadata.name, in the datarus namespace', () => {
    expect(objects.length).toBeGreaterThanOrEqual(12);
    for (const { file, obj } of objects) {
      const where = `${file}: ${obj?.kind}/${obj?.metadata?.name}`;
      expect(typeof obj.apiVersion, where).toBe('string');
      expect(typeof obj.kind, where).toBe('string');
      expect(obj.metadata?.name, where).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      if (obj.kind !== 'Namespace') expect(obj.metadata.namespace, where).toBe('datarus');
    }
    const kinds = objects.map((o) => `${o.obj.kind}/${o.obj.metadata.name}`);
    for (const k of ['Namespace/datarus', 'ConfigMap/run-config', 'Secret/nats-credentials', 'StatefulSet/nats', 'Service/nats', 'StatefulSet/learner', 'Service/learner']) {
      expect(kinds).toContain(k);
    }
    for (const d of ['rollout-worker', 'reward-service', 'reward-workers']) expect(kinds).toContain(`Deployment/${d}`);
  });

  it('opens each file with comments explaining it', () => {
    for (const f of k8sFiles) expect(readFileSync(f, 'utf8'), relative(INFRA, f)).toMatch(/^(#[^\n]*\n){3,}/);
  });

  it('refers only to ConfigMaps, Secrets and claims that exist, with selectors matching their pods', () => {
    const workloads = objects.map((o) => o.obj).filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
    expect(workloads).toHaveLength(5);
    for (const w of workloads) {
      const spec = w.spec as {
        selector: { matchLabels: Record<string, string> };
        template: { metadata: { labels: Record<string, string> }; spec: { volumes?: Record<string, any>[]; containers: Record<string, any>[] } };
        volumeClaimTemplates?: { metadata: { name: string } }[];
      };
      const where = `${w.kind}/${w.metadata.name}`;
      expect(spec.template.metadata.labels, where).toMatchObject(spec.selector.matchLabels);
      const volumes = spec.template.spec.volumes ?? [];
      for (const v of volumes) {
        if (v.configMap) expect(named('ConfigMap', v.configMap.name), `${where} volume ${v.name}`).toBeDefined();
        if (v.secret && !SECRETS_FROM_FILES.includes(v.secret.secretName)) expect(named('Secret', v.secret.secretName), `${where} volume ${v.name}`).toBeDefined();
        if (v.persistentVolumeClaim) expect(named('PersistentVolumeClaim', v.persistentVolumeClaim.claimName), `${where} volume ${v.name}`).toBeDefined();
      }
      const mountable = [...volumes.map((v) => v.name), ...(spec.volumeClaimTemplates ?? []).map((t) => t.metadata.name)];
      for (const c of spec.template.spec.containers) {
        expect(c.image, where).toBeTruthy();
        expect(c.resources?.requests, `${where} resource requests`).toBeDefined();
        for (const m of c.volumeMounts ?? []) expect(mountable, `${where} mount ${m.name}`).toContain(m.name);
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (!ref) continue;
          const secret = named('Secret', ref.name);
          expect(secret, `${where} env ${e.name}`).toBeDefined();
          expect(Object.keys({ ...secret!.data, ...secret!.stringData }), `${where} env ${e.name}`).toContain(ref.key);
        }
      }
    }
  });

  it('keeps the counts that must agree in step', () => {
    const learner = named('StatefulSet', 'learner')!.spec as any;
    const env = learner.template.spec.containers[0].env as { name: string; value?: string }[];
    expect(Number(env.find((e) => e.name === 'WORLD_SIZE')!.value)).toBe(learner.replicas);
    expect(JSON.stringify(learner.template.spec.containers[0].resources.limits)).toContain('nvidia.com/gpu');
    const nats = named('StatefulSet', 'nats')!.spec as any;
    const conf = named('ConfigMap', 'nats-config')!.data!['nats.conf'];
    expect(conf.match(/nats-route:\/\//g)).toHaveLength(nats.replicas);
    expect(nats.volumeClaimTemplates[0].metadata.name).toBe('jetstream');
    const replicas = (name: string) => (named('Deployment', name)!.spec as { replicas: number }).replicas;
    expect([replicas('rollout-worker'), replicas('reward-service'), replicas('reward-workers')]).toEqual([4, 2, 4]);
  });

  it('ships a run config that is valid with the flags the manifests add', () => {
    const dir = mkdtempSync(join(tmpdir(), 'datarus-infra-'));
    try {
      const file = join(dir, 'run.json');
      writeFileSync(file, named('ConfigMap', 'run-config')!.data!['run.json']);
      const argv = ['--config', file, '--nats.user=datarus', '--nats.password=s3cret/+x'];
      const dp = ['--grpo.distributed.rank', '1', '--grpo.distributed.world-size', '2', '--grpo.distributed.rendezvous', 'learner-0.learner.datarus.svc.cluster.local:29500'];
      const c = loadRunConfig([...argv, ...dp]);
      expect(c.nats?.url).toHaveLength(3);
      expect(c.nats?.password).toBe('s3cret/+x');
      expect(c.grpo.distributed).toMatchObject({ rank: 1, worldSize: 2 });
      expect(c.learner.policyBind).toBe('0.0.0.0:50051');
      expect(c.rollout.policy.address).toBe('learner-0.learner.datarus.svc.cluster.local:50051');
      expect([c.streams.TASKS, c.streams.ROLLOUTS, c.streams.SCORED, c.streams.DLQ].map((s) => s.replicas)).toEqual([3, 3, 3, 3]);
      // The same file serves the processes that get no learner flags.
      expect(loadRunConfig(argv).grpo.distributed).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('nats-server configs', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    // A CA and one certificate for every name the configs use, as the READMEs describe.
    dir = mkdtempSync(join(tmpdir(), 'datarus-nats-tls-'));
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=datarus test CA', '-keyout', 'ca.key', '-out', 'ca.pem']);
    writeFileSync(
      join(dir, 'server.ext'),
      'basicConstraints = CA:FALSE\nkeyUsage = digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth, clientAuth\n' +
        'subjectAltName = DNS:localhost, IP:127.0.0.1, DNS:nats-0, DNS:nats-1, DNS:nats-2, DNS:*.nats.datarus.svc.cluster.local\n',
    );
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=nats', '-keyout', 'server.key', '-out', 'server.csr']);
    run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem']);
    env = {
      ...process.env,
      NATS_USER: 'datarus',
      NATS_PASSWORD: 'test-password',
      NATS_TLS_CERT: join(dir, 'server.pem'),
      NATS_TLS_KEY: join(dir, 'server.key'),
      NATS_TLS_CA: join(dir, 'ca.pem'),
      POD_NAME: 'nats-0',
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const check = (file: string, e: NodeJS.ProcessEnv) => spawnSync(natsServerBinary(), ['-c', file, '-t'], { env: e, encoding: 'utf8' });

  it('finds the configs', () => {
    expect(natsConfs.map((f) => relative(INFRA, f))).toEqual(['nats/cluster/nats-0.conf', 'nats/cluster/nats-1.conf', 'nats/cluster/nats-2.conf', 'nats/local.conf', 'nats/server.conf']);
  });

  it('passes nats-server -t for every file and for the Kubernetes ConfigMap', () => {
    const k8sConf = join(dir, 'k8s-nats.conf');
    const cm = k8sFiles.flatMap((f) => loadYaml(f) as K8sObject[]).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'nats-config');
    writeFileSync(k8sConf, cm!.data!['nats.conf']);
    for (const f of [...natsConfs, k8sConf]) {
      const r = check(f, env);
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
      expect(r.stderr + r.stdout).toContain('is valid');
    }
  });

  it('refuses a config whose secret is not in the environment', () => {
    const r = check(join(INFRA, 'nats/cluster/nats-0.conf'), { ...env, NATS_PASSWORD: undefined });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/NATS_PASSWORD/);
  });

  it('forms a JetStream cluster with TLS routes that a datarus client reaches', async () => {
    const ports = await freePorts(9);
    const servers: ChildProcess[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        // The cluster files on loopback: ports and route hosts changed, nothing else.
        const conf = readFileSync(join(INFRA, `nats/cluster/nats-${i}.conf`), 'utf8')
          .replace('0.0.0.0:4222', `127.0.0.1:${ports[i]}`)
          .replace('0.0.0.0:8222', `127.0.0.1:${ports[3 + i]}`)
          .replace('0.0.0.0:6222', `127.0.0.1:${ports[6 + i]}`)
          .replace(/nats-route:\/\/nats-(\d):6222/g, (_, n: string) => `nats-route://127.0.0.1:${ports[6 + Number(n)]}`)
          .replace('/data/nats/jetstream', join(dir, `js-${i}`));
        const file = join(dir, `loopback-${i}.conf`);
        writeFileSync(file, conf);
        servers.push(spawn(natsServerBinary(), ['-c', file], { env, stdio: 'ignore' }));
      }
      // the servers take a moment to listen: a refused first connection is retried
      const nc = await retry(
        () =>
          connectNats({
            url: ports.slice(0, 3).map((p) => `tls://127.0.0.1:${p}`),
            user: 'datarus',
            password: 'test-password',
            tls: { caFile: join(dir, 'ca.pem') },
            connectTimeoutMs: 20_000,
          }),
        20_000,
      );
      try {
        // The meta group needs all routes up; retry until it has a leader.
        const jsm = await retry(() => nc.jetstreamManager(), 30_000);
        const file = join(dir, 'run.json');
        writeFileSync(file, k8sFiles.flatMap((f) => loadYaml(f) as K8sObject[]).find((o) => o.metadata.name === 'run-config')!.data!['run.json']);
        const streams = loadRunConfig(['--config', file, '--nats.user=u', '--nats.password=p']).streams;
        await retry(() => ensureStreams(jsm, streams), 30_000);
        const info = await jsm.streams.info('TASKS');
        expect(info.config.num_replicas).toBe(3);
        expect(info.cluster?.replicas).toHaveLength(2);
        const jsz = (await (await fetch(`http://127.0.0.1:${ports[3]}/jsz`)).json()) as { meta_cluster?: { cluster_size: number } };
        expect(jsz.meta_cluster?.cluster_size).toBe(3);
      } finally {
        await nc.close();
      }
      // A wrong password is refused.
      await expect(
        connectNats({ url: `tls://127.0.0.1:${ports[0]}`, user: 'datarus', password: 'wrong', tls: { caFile: join(dir, 'ca.pem') }, maxReconnectAttempts: 0 }),
      ).rejects.toThrow();
    } finally {
      for (const s of servers) s.kill('SIGKILL');
    }
  }, 90_000);
});

describe('Slurm script', () => {
  it('is valid bash', () => {
    const r = spawnSync('bash', ['-n', join(INFRA, 'slurm/train.sbatch')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function retry<T>(f: () => Promise<T>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
