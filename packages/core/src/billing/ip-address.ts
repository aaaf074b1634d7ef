/**
 * Whether an IP address is on the public internet, for webhook targets. An IPv6 address is parsed
 * to its eight groups, so every spelling of one address (`::127.0.0.1`, `::7f00:1`, `0:0::7f00:1`)
 * gets one answer, and the IPv4 address inside each embedding form is judged as IPv4.
 */

/** The four bytes of a dotted-decimal IPv4 address, or undefined. */
export function parseIpv4(text: string): number[] | undefined {
  const m = text.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (!m) return undefined;
  const bytes = m.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/** The eight 16-bit groups of an IPv6 address (a `%zone` is dropped, a dotted IPv4 tail allowed), or undefined. */
export function parseIpv6(text: string): number[] | undefined {
  const address = text.replace(/%.*$/, '');
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return undefined;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) out.push(Number.parseInt(piece, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const zeros = 8 - head.length - tail.length;
  return zeros >= 1 ? [...head, ...new Array<number>(zeros).fill(0), ...tail] : undefined;
}

/** Special-purpose IPv4 ranges (RFC 6890 and successors) that are not publicly routable unicast. */
export function isPrivateIpv4([a, b, c]: readonly number[]): boolean {
  return (
    a === 0 || // "this" network
    a === 10 ||
    a === 127 ||
    (a === 100 && (b as number) >= 64 && (b as number) <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && (b as number) >= 16 && (b as number) <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, TEST-NET-1
    (a === 192 && b === 88 && c === 99) || // 6to4 relay anycast
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) || // TEST-NET-2
    (a === 203 && b === 0 && c === 113) || // TEST-NET-3
    (a as number) >= 224 // multicast, reserved, broadcast
  );
}

/** The IPv4 address in the 32 bits of groups hi and lo. */
function v4(hi: number, lo: number): number[] {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

/**
 * Not public: anything outside global unicast 2000::/3 (unspecified, loopback, unique-local fc00::/7,
 * link-local fe80::/10, multicast ff00::/8, reserved), documentation and IETF-assigned ranges, and
 * every form that embeds an IPv4 address whose IPv4 address is not public.
 */
export function isPrivateIpv6(g: readonly number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  const zero64 = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0;
  if (zero64 && g4 === 0 && (g5 === 0 || g5 === 0xffff)) return isPrivateIpv4(v4(g6, g7)); // IPv4-compatible (::, ::1 too), IPv4-mapped
  if (zero64 && g4 === 0xffff && g5 === 0) return isPrivateIpv4(v4(g6, g7)); // IPv4-translated (SIIT)
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isPrivateIpv4(v4(g6, g7)); // NAT64
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return true; // local-use NAT64 64:ff9b:1::/48: a translator inside the network
  if (g0 === 0x2002) return isPrivateIpv4(v4(g1, g2)); // 6to4
  if (g0 === 0x2001 && g1 === 0) return isPrivateIpv4(v4(g2, g3)) || isPrivateIpv4(v4(~g6 & 0xffff, ~g7 & 0xffff)); // Teredo: server, client (inverted)
  if ((g0 & 0xe000) !== 0x2000) return true; // outside global unicast
  if (g0 === 0x2001 && g1 < 0x200) return true; // IETF protocol assignments 2001::/23
  if (g0 === 0x2001 && g1 === 0xdb8) return true; // documentation
  return g0 === 0x3fff && g1 < 0x1000; // documentation 3fff::/20
}

/** An address as a resolver returns it (or an IP literal): not public, or unparseable. */
export function isPrivateAddress(address: string): boolean {
  if (address.includes(':')) {
    const groups = parseIpv6(address);
    return groups ? isPrivateIpv6(groups) : true;
  }
  const bytes = parseIpv4(address);
  return bytes ? isPrivateIpv4(bytes) : true;
}
