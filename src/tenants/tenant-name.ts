import { customAlphabet } from 'nanoid';

// Lowercase alphanumerics only: tenant names end up in URLs, subdomains and e-mail local parts.
const suffix = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 10);

export const tenantName = (prefix: string, suite: string): string => `${prefix}-${suite}-${suffix()}`;
