// Where a webhook may go: no server-side request forgery. A URL is https (http only with
// WEBHOOKS_ALLOW_HTTP, for development and tests), and its host resolves to public addresses only: a
// loopback, private, link-local, shared, multicast or reserved address is refused, unless the host is
// listed in WEBHOOKS_ALLOWED_HOSTS. It is checked when a subscription is written (checkWebhookUrl,
// then resolvesToPublic), and again when each delivery connects (guardedLookup): the address checked
// is the address connected to, so a name that resolves elsewhere later (DNS rebinding) gets nowhere.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup as dnsLookupAsync } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export interface UrlPolicy {
  allowHttp: boolean;
  /** Lower-case host names or addresses whose URLs may resolve to non-public addresses. */
  allowedHosts: readonly string[];
}

/** A webhook URL this policy refuses; `message` says why, for a 400 naming the field. */
export class UrlRefused extends Error {
  override readonly name = 'UrlRefused';
}

// IANA's special-purpose registries (RFC 6890 and its updates): nothing a public endpoint lives at.
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and broadcast
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use translation
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo's 2001::/32 within)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: an IPv4 address inside
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');

/** True for an address a public endpoint can have. IPv4 inside IPv6 (::ffff:a.b.c.d, 64:ff9b::a.b.c.d, ::a.b.c.d) is judged as IPv4. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return false;
  const embedded = embeddedIpv4(address);
  if (embedded) return isPublicAddress(embedded);
  return !NOT_PUBLIC.check(address, 'ipv6');
}

/** The IPv4 address an IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) or IPv4-compatible (::/96) address carries. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::|::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::|::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** The host of a URL as the policy compares it: lower case, an IPv6 address without its brackets. */
export const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[|\]$/g, '');

const allowed = (policy: UrlPolicy, host: string) => policy.allowedHosts.includes(host.toLowerCase());

/** The URL's form: an absolute https URL (or http when allowed), no credentials, a literal address that is public. */
export function checkWebhookUrl(text: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UrlRefused('is not an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp))
    throw new UrlRefused(
      policy.allowHttp ? 'must be an http:// or https:// URL' : 'must be an https:// URL (WEBHOOKS_ALLOW_HTTP is off)',
    );
  if (url.username || url.password) throw new UrlRefused('must not carry credentials (user:password@)');
  const host = hostOf(url);
  if (isIP(host) && !allowed(policy, host) && !isPublicAddress(host))
    throw new UrlRefused(
      `points to ${host}, a loopback, private or link-local address: webhooks go to public addresses only`,
    );
  return url;
}

/** Resolves the URL's host: every address it has must be public (unless the host is allowed). */
export async function resolvesToPublic(url: URL, policy: UrlPolicy, timeoutMs = 5000): Promise<void> {
  const host = hostOf(url);
  if (allowed(policy, host) || isIP(host)) return;
  let addresses: LookupAddress[];
  try {
    addresses = await Promise.race([
      dnsLookupAsync(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), timeoutMs).unref()),
    ]);
  } catch (error) {
    throw new UrlRefused(
      `does not resolve: ${host} (${(error as { code?: string }).code ?? (error as Error).message})`,
    );
  }
  const refused = addresses.find((a) => !isPublicAddress(a.address));
  if (refused)
    throw new UrlRefused(
      `resolves to ${refused.address}, a loopback, private or link-local address: webhooks go to public addresses only`,
    );
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for the sockets of webhook deliveries (net.connect and tls.connect call it): resolves the
 * host and refuses it when an address is not public, so that the connection goes only to an address
 * that was checked. Hosts of the allowed list resolve as usual.
 */
export function guardedLookup(policy: UrlPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses;
      if (!allowed(policy, hostname)) {
        const refused = list.find((a) => !isPublicAddress(a.address));
        if (refused) {
          const e: NodeJS.ErrnoException = new Error(
            `${hostname} resolves to ${refused.address}, a loopback, private or link-local address: refused`,
          );
          e.code = 'EADDRNOTPUBLIC';
          return callback(e, []);
        }
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) {
        const e: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
        e.code = 'ENOTFOUND';
        return callback(e, []);
      }
      callback(null, first.address, first.family);
    });
  };
}
