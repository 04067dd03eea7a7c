// Firewall sources as every cloud takes them. No zod here: the console's form checks with the same functions.

/** `a.b.c.d/n` with each number in range: what every cloud's firewall accepts as an IPv4 source. */
export function isIpv4Cidr(text: string): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return false;
  const [, a, b, c, d, prefix] = match.map(Number);
  return [a, b, c, d].every((octet) => octet! <= 255) && prefix! <= 32;
}

/** An IPv6 address as URLs accept it (the WHATWG parser, in the browser's console as on the server), then `/n` up to 128. */
export function isIpv6Cidr(text: string): boolean {
  const match = /^([0-9A-Fa-f:.]{2,45})\/(\d{1,3})$/.exec(text);
  if (!match || Number(match[2]) > 128 || !match[1]!.includes(':')) return false;
  try {
    new URL(`http://[${match[1]}]/`);
    return true;
  } catch {
    return false;
  }
}

/** What to tell a person whose source is neither. */
export const CIDR_HINT =
  'give an IPv4 CIDR such as 203.0.113.0/24 (a prefix 0 to 32) or an IPv6 one such as 2001:db8::/32 (a prefix 0 to 128)';
