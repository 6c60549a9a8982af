/**
 * Real hosts on this machine: one Linux network namespace per host, each with one veth link (`eth0`, 10.213.N.x/24)
 * to a bridge. The bridge lives in a namespace of its own (the "switch"), so nothing here touches the root
 * namespace's network but one observer link (`mmh<pid>`, address .1) from which the harness reaches the hosts:
 * the host firewall and br_netfilter of the root namespace never see the hosts' traffic.
 *
 * Hosts share the filesystem and the clock (one kernel) but nothing on the network: a process in a host reaches the
 * others only through its link, so `cut()` (the link down, in the switch) partitions it for real. `remove()` kills
 * every process in every namespace and deletes them (the veths go with them); `sweepStaleNetworks()` removes what a
 * harness killed before its cleanup left behind (its pid in the names is gone).
 *
 * Needs root and iproute2's `ip` (`networkUnavailable()` says why not).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { pidAlive } from '../../platform/processes';

const run = promisify(execFile);
const PREFIX = 'maspo-mh';
const IP_CANDIDATES = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

export interface Host {
  /** The label the harness uses ('db', 'llm', 'w1', …), also the switch-side link name. */
  label: string;
  /** The network namespace. */
  ns: string;
  ip: string;
}

/** `ip` from iproute2, or undefined. */
export function ipCommand(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = dir && path.join(dir, 'ip');
    if (p && fs.existsSync(p)) return p;
  }
  return IP_CANDIDATES.find((p) => fs.existsSync(p));
}

/** Why namespaces cannot be made here (not root, no `ip`), or undefined when they can. */
export function networkUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (run as root, as .ci/run does)';
  if (!ipCommand()) return "no `ip` command (install Debian's iproute2, as .ci/run does)";
  return undefined;
}

async function ip(args: string[]): Promise<string> {
  const cmd = ipCommand();
  if (!cmd) throw new Error(networkUnavailable());
  try {
    return (await run(cmd, args)).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

export class HostNetwork {
  private constructor(
    readonly tag: string,
    readonly subnet: string,
    readonly observerIp: string,
    private readonly switchNs: string,
    private readonly observerLink: string,
    private readonly hosts: Map<string, Host>,
  ) {}

  /** Creates the switch, the observer link and one host per label (addresses .2, .3, … in label order). */
  static async create(labels: string[]): Promise<HostNetwork> {
    const reason = networkUnavailable();
    if (reason) throw new Error(reason);
    await sweepStaleNetworks();
    const tag = `${PREFIX}${process.pid}`;
    const base = await freeSubnet();
    const net = new HostNetwork(tag, `${base}.0/24`, `${base}.1`, `${tag}-switch`, `mmh${process.pid}`, new Map());
    try {
      await ip(['netns', 'add', net.switchNs]);
      await ip(['-n', net.switchNs, 'link', 'add', 'br0', 'type', 'bridge']);
      await ip(['-n', net.switchNs, 'link', 'set', 'br0', 'up']);
      // The observer: the harness's own way in (results, database checks, the LLM server's counters).
      await ip(['link', 'add', net.observerLink, 'type', 'veth', 'peer', 'name', 'observer', 'netns', net.switchNs]);
      await ip(['-n', net.switchNs, 'link', 'set', 'observer', 'master', 'br0', 'up']);
      await ip(['addr', 'add', `${net.observerIp}/24`, 'dev', net.observerLink]);
      await ip(['link', 'set', net.observerLink, 'up']);
      for (const [i, label] of labels.entries()) await net.addHost(label, `${base}.${i + 2}`);
    } catch (err) {
      await net.remove();
      throw err;
    }
    return net;
  }

  private async addHost(label: string, address: string): Promise<void> {
    if (!/^[a-z][a-z0-9]{0,9}$/.test(label) || label === 'observer' || label === 'br0') throw new Error(`bad host label '${label}'`);
    const host: Host = { label, ns: `${this.tag}-${label}`, ip: address };
    await ip(['netns', 'add', host.ns]);
    this.hosts.set(label, host);
    await ip(['-n', this.switchNs, 'link', 'add', label, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns]);
    await ip(['-n', this.switchNs, 'link', 'set', label, 'master', 'br0', 'up']);
    await ip(['-n', host.ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    await ip(['-n', host.ns, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', host.ns, 'link', 'set', 'lo', 'up']);
  }

  host(label: string): Host {
    const h = this.hosts.get(label);
    if (!h) throw new Error(`no host '${label}' in this network`);
    return h;
  }

  /** The label of the host with this address ('observer' for the harness's own), or the address itself. */
  labelOf(address: string | null | undefined): string {
    if (!address) return 'local socket';
    if (address === this.observerIp) return 'observer';
    return [...this.hosts.values()].find((h) => h.ip === address)?.label ?? address;
  }

  /** Command prefix that runs a program on `label`. */
  exec(label: string): string[] {
    return [ipCommand()!, 'netns', 'exec', this.host(label).ns];
  }

  /** Every process in the host's namespace. */
  async pids(label: string): Promise<number[]> {
    return pidsOf(this.host(label).ns);
  }

  /** SIGKILLs every process of the host (`ip netns pids`) and waits until they are gone. Returns the pids. */
  async kill(label: string): Promise<number[]> {
    const killed = await killAllIn(this.host(label).ns);
    const deadline = Date.now() + 15_000;
    while (killed.some(pidAlive) && Date.now() < deadline) await sleep(50);
    return killed;
  }

  /** Partitions the host: its switch port goes down (its own link sees the carrier drop, nothing gets through). */
  async cut(label: string): Promise<void> {
    this.host(label);
    await ip(['-n', this.switchNs, 'link', 'set', label, 'down']);
  }

  async heal(label: string): Promise<void> {
    this.host(label);
    await ip(['-n', this.switchNs, 'link', 'set', label, 'up']);
  }

  /** Kills every process in every host, deletes the namespaces (their veths go too) and the observer link. */
  async remove(): Promise<void> {
    const problems: string[] = [];
    for (const h of this.hosts.values()) {
      await killAllIn(h.ns).catch((e: Error) => problems.push(e.message));
    }
    for (const ns of [...[...this.hosts.values()].map((h) => h.ns), this.switchNs]) {
      await ip(['netns', 'del', ns]).catch((e: Error) => /No such file/.test(e.message) || problems.push(e.message));
    }
    await ip(['link', 'del', this.observerLink]).catch(() => undefined); // usually gone with its peer
    if (problems.length) throw new Error(`removing the host network ${this.tag}: ${problems.join('; ')}`);
  }
}

async function pidsOf(ns: string): Promise<number[]> {
  const out = await ip(['netns', 'pids', ns]).catch(() => '');
  return out
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/** SIGKILL until the namespace holds no process (a process may spawn one as it dies). */
async function killAllIn(ns: string): Promise<number[]> {
  const killed: number[] = [];
  for (let round = 0; round < 20; round++) {
    const pids = await pidsOf(ns);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
      } catch {
        // already gone
      }
    }
    await sleep(100);
  }
  return killed;
}

/** A 10.213.N.0/24 no interface of the root namespace is on. */
async function freeSubnet(): Promise<string> {
  const routes = await ip(['-o', 'addr']);
  for (let k = 0; k < 250; k++) {
    const n = (process.pid + k) % 250;
    const base = `10.213.${n}`;
    if (!routes.includes(` ${base}.`)) return base;
  }
  throw new Error('no free 10.213.N.0/24 subnet for the host network');
}

/** Removes namespaces and observer links left by harness processes that are gone (killed before their cleanup). */
export async function sweepStaleNetworks(): Promise<string[]> {
  const removed: string[] = [];
  const names = (await ip(['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]);
  for (const ns of names) {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(ns);
    if (!m || pidAlive(Number(m[1]))) continue;
    await killAllIn(ns);
    await ip(['netns', 'del', ns]).catch(() => undefined);
    removed.push(ns);
  }
  const links = (await ip(['-o', 'link'])).split('\n');
  for (const line of links) {
    const m = /^\d+: (mmh(\d+))[@:]/.exec(line);
    if (m && !pidAlive(Number(m[2]))) {
      await ip(['link', 'del', m[1]]).catch(() => undefined);
      removed.push(m[1]);
    }
  }
  return removed;
}
