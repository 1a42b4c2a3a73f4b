// An NRDP stand-in (node:http) implementing NRDP's documented request and answer: form fields
// token, cmd=submitcheck, json={"checkresults":[…]}; answers {"result":{"status":0,"message":"OK",…}}
// and status -1 with NRDP's messages on errors (HTTP 200 either way, as NRDP does). Accepted results are
// written to the real Nagios command file, newlines turned into `\n` as NRDP does.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { appendFile } from 'node:fs/promises';

export interface NrdpStandIn {
  url: string;
  /** Raw form bodies received, for assertions on what went over the wire. */
  requests: string[];
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startNrdpStandIn(opts: { commandFile: string; token: string }): Promise<NrdpStandIn> {
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const answer = (result: object) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ result }));
    };
    if (req.method !== 'POST') return answer({ status: -1, message: 'NO REQUEST HANDLER' });
    const body = await readBody(req);
    requests.push(body);
    const form = new URLSearchParams(body);
    const token = form.get('token');
    if (!token) return answer({ status: -1, message: 'NO TOKEN' });
    if (token !== opts.token) return answer({ status: -1, message: 'BAD TOKEN' });
    if (form.get('cmd') !== 'submitcheck') return answer({ status: -1, message: 'NO REQUEST HANDLER' });
    let data: { checkresults?: Array<{ checkresult?: { type?: string }; hostname?: string; servicename?: string; state?: string; output?: string }> };
    try {
      data = JSON.parse(form.get('json') ?? '');
    } catch {
      return answer({ status: -1, message: 'BAD JSON' });
    }
    const lines = (data.checkresults ?? []).map((cr) => {
      const output = String(cr.output ?? '').replaceAll('\n', '\\n');
      const now = Math.floor(Date.now() / 1000);
      return cr.checkresult?.type === 'host'
        ? `[${now}] PROCESS_HOST_CHECK_RESULT;${cr.hostname};${cr.state};${output}\n`
        : `[${now}] PROCESS_SERVICE_CHECK_RESULT;${cr.hostname};${cr.servicename};${cr.state};${output}\n`;
    });
    for (const line of lines) await appendFile(opts.commandFile, line);
    answer({ status: 0, message: 'OK', meta: { output: `${lines.length} checks processed` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/nrdp/`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
