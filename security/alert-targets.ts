// Where alerts may go, and how their secrets are kept. Webhook hosts are allow-listed (Slack,
// Discord, Telegram's API host); ALERT_ALLOW_HOSTS adds hosts the operator trusts as they are (tests
// use it for loopback). A built-in host must resolve to public addresses only (no private, loopback
// or link-local: a changed DNS answer cannot turn a webhook against the inside), and is reached over
// https. Targets are stored sealed (bot tokens and webhook URLs are credentials) and shown redacted.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { SecretBox } from './secret-box';

/** What a channel of each kind stores (sealed). */
export interface TelegramTarget {
  botToken: string;
  chatId: string;
  /** Base URL of the Bot API (tests point it at a local server). */
  apiBase?: string;
}
export interface WebhookTarget {
  webhookUrl: string;
}

export const BUILT_IN_ALERT_HOSTS = ['hooks.slack.com', 'discord.com', 'discordapp.com', 'api.telegram.org'];

export interface AlertHostPolicy {
  builtIn: string[];
  /** Hosts (or host:port) from ALERT_ALLOW_HOSTS: trusted as they are. */
  trusted: string[];
}

export function alertHostPolicy(env: NodeJS.ProcessEnv = process.env): AlertHostPolicy {
  const trusted = (env.ALERT_ALLOW_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return { builtIn: BUILT_IN_ALERT_HOSTS, trusted };
}

const inside = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 3],
] as const)
  inside.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  inside.addSubnet(net, prefix, 'ipv6');

/** Whether an address is private, loopback, link-local, unspecified or multicast. */
export function isInsideAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return inside.check(mapped[1], 'ipv4');
  return isIP(address) === 6 ? inside.check(address, 'ipv6') : inside.check(address, 'ipv4');
}

/** null when alerts may be posted to `raw`, else why not (naming `field`). */
export async function checkAlertUrl(
  raw: string,
  field: string,
  policy: AlertHostPolicy = alertHostPolicy(),
): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${field}: not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${field}: must be an http(s) URL`;
  if (url.username || url.password) return `${field}: must not carry credentials`;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (policy.trusted.includes(host) || policy.trusted.includes(url.host.toLowerCase())) return null;
  if (!policy.builtIn.includes(host))
    return `${field}: host ${host} is not allowed (Slack, Discord, Telegram; add hosts with ALERT_ALLOW_HOSTS)`;
  if (url.protocol !== 'https:') return `${field}: must be https`;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    return `${field}: host ${host} does not resolve`;
  }
  if (addresses.length === 0 || addresses.some((a) => isInsideAddress(a.address)))
    return `${field}: host ${host} resolves to a private, loopback or link-local address`;
  return null;
}

/** The URLs a target posts to (a Telegram target's through its API base). */
export function alertUrls(kind: string, target: Record<string, unknown>): [field: string, url: string][] {
  if (kind === 'telegram') return [['target.apiBase', String(target.apiBase ?? 'https://api.telegram.org')]];
  return [['target.webhookUrl', String(target.webhookUrl ?? '')]];
}

/** What may be shown of a target: the chat id, the token's last 4 characters, the webhook's origin. */
export function redactAlertTarget(kind: string, target: Record<string, unknown>): Record<string, string> {
  if (kind === 'telegram')
    return {
      chatId: String(target.chatId ?? ''),
      botToken: `…${String(target.botToken ?? '').slice(-4)}`,
      ...(target.apiBase !== undefined && { apiBase: String(target.apiBase) }),
    };
  let origin = '';
  try {
    origin = new URL(String(target.webhookUrl)).origin;
  } catch {}
  return { webhookUrl: `${origin}/…` };
}

const aadOf = (kind: string) => `alert-target:${kind}`;

/** The stored form: the sealed target and its redacted view (what reads show). */
export function sealAlertTarget(box: SecretBox, kind: string, target: Record<string, unknown>) {
  return {
    sealed: Buffer.from(box.seal(JSON.stringify(target), aadOf(kind))).toString('base64'),
    redacted: redactAlertTarget(kind, target),
  };
}

/** The target to post to; rows stored before sealing are read as they are. */
export function openAlertTarget(box: SecretBox | undefined, kind: string, stored: unknown): Record<string, unknown> {
  const s = (stored ?? {}) as { sealed?: string };
  if (typeof s.sealed !== 'string') return s as Record<string, unknown>;
  if (!box) throw new Error('alert target is sealed and this process has no master key');
  return JSON.parse(box.open(Buffer.from(s.sealed, 'base64'), aadOf(kind)));
}

/** The stored target as reads show it. */
export function shownAlertTarget(kind: string, stored: unknown): Record<string, unknown> {
  const s = (stored ?? {}) as { sealed?: string; redacted?: Record<string, unknown> };
  if (typeof s.sealed === 'string') return s.redacted ?? {};
  return redactAlertTarget(kind, s as Record<string, unknown>);
}

/** Checks a channel target before it is stored; returns the errors, field by field. */
export function validateAlertTarget(kind: string, target: unknown): string[] {
  const t = (target ?? {}) as Record<string, unknown>;
  const url = (field: string) =>
    typeof t[field] === 'string' && /^https?:\/\//.test(t[field] as string)
      ? []
      : [`target.${field}: must be an http(s) URL`];
  if (kind === 'telegram') {
    return [
      ...(typeof t.botToken === 'string' && t.botToken ? [] : ['target.botToken: required']),
      ...(typeof t.chatId === 'string' && t.chatId ? [] : ['target.chatId: required']),
      ...(t.apiBase === undefined ? [] : url('apiBase')),
    ];
  }
  if (kind === 'slack' || kind === 'discord') return url('webhookUrl');
  return [`kind: must be telegram, slack or discord`];
}
