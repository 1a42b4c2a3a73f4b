// One call of an http provisioner: the request rendered from its templates (secret headers registered
// with the redactor), sent with the call's timeout bounding the body too, and the answer read up to
// the answer limit. What went wrong on the way (no connection, timeout) is a ProvisionError naming the
// request; what the server answered is judged by the caller with expectOk and parseAnswerJson.
import { messageOf } from '../shared/errors.ts';
import { SECRET_NAME } from '../shared/redact.ts';
import { MAX_ANSWER_BYTES, MAX_ANSWER_WORDS, decodeAnswer, describeBinary, readCapped } from './answer-limits.ts';
import { excerpt } from './excerpt.ts';
import type { Call, ProvisionerBase } from './provisioner-base.ts';
import { renderTemplate, type TemplateContext } from './render-template.ts';
import type { HttpRequestSpec } from './types.ts';

export interface Answer {
  status: number;
  text: string;
  /** Set when the body could not be taken as text: larger than MAX_ANSWER_BYTES, or not UTF-8. */
  unreadable?: string;
  /** `POST http://…/admin/tenants`, for messages. */
  request: string;
}

export async function sendRequest(
  base: ProvisionerBase,
  call: Call,
  request: HttpRequestSpec,
  context: TemplateContext,
  defaultMethod: string,
  signal?: AbortSignal,
): Promise<Answer> {
  const where = `tenants.${base.name}.${call}`;
  const method = (request.method ?? defaultMethod).toUpperCase();
  const url = renderTemplate(request.url, context, { where, url: true });
  const headers = renderTemplate(request.headers ?? {}, context, { where });
  // Tokens reach headers through {{env.X}} at run time, after the config loader listed its secrets.
  for (const [header, value] of Object.entries(headers)) if (SECRET_NAME.test(header)) base.redact.add(value);
  const lower = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
  let body: string | undefined;
  if (request.body !== undefined) {
    const rendered = renderTemplate(request.body, context, { where });
    body = typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
    if (!lower.has('content-type')) headers['content-type'] = 'application/json';
  }
  if (!lower.has('accept')) headers.accept = 'application/json';

  const described = `${method} ${url}`;
  const combined = base.callSignal(signal);
  try {
    const response = await fetch(url, { method, headers, body, signal: combined, redirect: 'manual' });
    // The same signal bounds the body: a server that sends headers and then trickles forever times out.
    const declared = Number(response.headers.get('content-length') ?? 0);
    const { bytes, tooLarge } = declared > MAX_ANSWER_BYTES ? { bytes: new Uint8Array(), tooLarge: true } : await readCapped(response.body);
    if (tooLarge) {
      await response.body?.cancel().catch(() => {});
      return { status: response.status, text: '', unreadable: `the answer is larger than ${MAX_ANSWER_WORDS} (Vigil reads no more)`, request: described };
    }
    const text = decodeAnswer(bytes);
    if (text === undefined) return { status: response.status, text: '', unreadable: `the answer is ${describeBinary(bytes)}`, request: described };
    return { status: response.status, text, request: described };
  } catch (err) {
    if (combined.aborted) throw base.fail(call, `${described} ${base.abortReason(signal)}`);
    throw base.fail(call, `${described} failed: ${networkCause(err)}`);
  }
}

export function parseAnswerJson(base: ProvisionerBase, call: Call, answer: Answer): unknown {
  if (answer.unreadable) throw base.fail(call, `${answer.request} answered ${answer.status}: ${answer.unreadable}`);
  try {
    return JSON.parse(answer.text);
  } catch {
    throw base.fail(call, `${answer.request} answered ${answer.status} but the body is not JSON: ${excerpt(answer.text, base.redact)}`);
  }
}

export function expectOk(base: ProvisionerBase, call: Call, answer: Answer): void {
  if (answer.status < 200 || answer.status > 299) {
    throw base.fail(call, `${answer.request} answered ${answer.status}: ${answer.unreadable ?? excerpt(answer.text, base.redact)}`);
  }
}

// fetch reports every network failure as "fetch failed"; the useful part is in `cause`.
function networkCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the app up and the URL right?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed by the server';
    default:
      return cause?.message ? `${cause.code ? `${cause.code} ` : ''}${cause.message}` : messageOf(err);
  }
}
