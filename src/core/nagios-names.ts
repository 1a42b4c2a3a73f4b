// Which names Nagios accepts for hosts and services. `;` separates command-file fields and a newline
// ends a command, so a name holding either would address another object or inject a command; Nagios
// itself forbids the rest in object names. The config schema and every transport apply this one rule.

const FORBIDDEN = /[;\n\r\t\u0000`~!$%^&*|'"<>?,()=]/;
export const NAGIOS_FORBIDDEN_LIST = '; newline tab ` ~ ! $ % ^ & * | \' " < > ? , ( ) =';

/** True when `text` holds a character Nagios forbids in object names. */
export const hasForbiddenNagiosChar = (text: string): boolean => FORBIDDEN.test(text);

/** True when `name` can name a Nagios host or service: not blank, no forbidden character. */
export const isNagiosObjectName = (name: string): boolean => name.trim() !== '' && !FORBIDDEN.test(name);

export const DEFAULT_SERVICE_PREFIX = 'synthetic-';

/** A suite's service description when its config names none. */
export const defaultServiceName = (suite: string, prefix = DEFAULT_SERVICE_PREFIX): string => `${prefix}${suite}`;
