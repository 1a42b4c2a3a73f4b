// NSCA's encryption methods by number (nsca.cfg `decryption_method`) and by name. Known here, below
// both the config schema (which validates the name) and the NSCA transport (which speaks it).

export const NSCA_METHOD_NAMES: Readonly<Record<string, number>> = {
  none: 0,
  xor: 1,
  des: 2,
  '3des': 3,
  tripledes: 3,
  'rijndael-128': 14,
  aes: 14,
};

/** Methods Vigil's client speaks: 0 none, 1 XOR, 2 DES, 3 3DES, 14 RIJNDAEL-128 (AES). */
export const SUPPORTED_NSCA_METHODS = [0, 1, 2, 3, 14] as const;
export type NscaMethod = (typeof SUPPORTED_NSCA_METHODS)[number];

export const NSCA_METHOD_PROBLEM =
  'use one of 0 (none), 1 (xor), 2 (des), 3 (3des), 14 (rijndael-128): ' +
  "Node's OpenSSL has no 8-bit CFB mode for CAST, xTEA, Blowfish, Twofish, LOKI97, RC2, RIJNDAEL-192/256, Serpent, GOST or SAFER+";

/** The method a config value names (absent = 0, none), or undefined when Vigil cannot speak it. */
export function nscaMethodOf(value: number | string | undefined): NscaMethod | undefined {
  if (value === undefined) return 0;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : NSCA_METHOD_NAMES[value.toLowerCase()];
  return n !== undefined && (SUPPORTED_NSCA_METHODS as readonly number[]).includes(n) ? (n as NscaMethod) : undefined;
}
