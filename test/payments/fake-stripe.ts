/**
 * A local HTTP server answering the Stripe endpoints Billflow uses, with Stripe's documented
 * shapes (PaymentIntent, Refund, search result, error objects) and idempotency-key replay. The
 * official SDK is pointed at it with host/port/protocol. Behaviour by payment method:
 * pm_card_visa succeeds; pm_card_chargeDeclinedInsufficientFunds / pm_card_chargeDeclined are
 * declined (402 card_error); pm_5xx answers 500; pm_lost creates the intent and drops the
 * connection (the SDK's same-key retry gets the replay); pm_lost_always drops every answer; customer cus_missing is a 400 resource_missing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

interface Intent {
  id: string;
  object: 'payment_intent';
  amount: number;
  currency: string;
  customer: string | null;
  payment_method: string | null;
  status: string;
  metadata: Record<string, string>;
  created: number;
  livemode: false;
  last_payment_error: null | { type: string; code: string; decline_code: string; message: string };
}

export class FakeStripe {
  readonly intents: Intent[] = [];
  readonly refunds: Record<string, unknown>[] = [];
  /** Real creations per idempotency key (replays are not counted). */
  readonly createsPerKey = new Map<string, number>();
  private readonly replies = new Map<string, { status: number; body: string }>();
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url!, 'http://x');
    const key = req.headers['idempotency-key'] as string | undefined;
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      if (key && req.method === 'POST') this.replies.set(key, { status, body: text });
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${Date.now()}` }).end(text);
    };
    if (req.headers.authorization !== 'Bearer sk_test_fake') return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
    if (key && req.method === 'POST' && this.replies.has(key)) {
      const r = this.replies.get(key)!;
      if (new URLSearchParams(raw).get('payment_method') === 'pm_lost_always') return void res.destroy();
      res.writeHead(r.status, { 'content-type': 'application/json', 'idempotent-replayed': 'true' }).end(r.body);
      return;
    }
    const form = new URLSearchParams(raw);
    if (req.method === 'POST' && url.pathname === '/v1/payment_intents') return this.createIntent(form, key, send, res);
    if (req.method === 'GET' && url.pathname === '/v1/payment_intents/search') {
      const wanted = /metadata\['billflow_key'\]:'([^']*)'/.exec(url.searchParams.get('query') ?? '')?.[1];
      const data = this.intents.filter((i) => i.metadata.billflow_key === wanted);
      return send(200, { object: 'search_result', data, has_more: false, next_page: null, url: '/v1/payment_intents/search' });
    }
    const one = /^\/v1\/payment_intents\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const pi = this.intents.find((i) => i.id === one[1]);
      return pi ? send(200, pi) : send(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such payment_intent: '${one[1]}'` } });
    }
    if (req.method === 'POST' && url.pathname === '/v1/refunds') {
      const pi = this.intents.find((i) => i.id === form.get('payment_intent'));
      if (!pi) return send(400, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such payment_intent: '${form.get('payment_intent')}'` } });
      const refund = { id: `re_${this.refunds.length + 1}`, object: 'refund', amount: Number(form.get('amount') ?? pi.amount), currency: pi.currency,
        payment_intent: pi.id, status: 'succeeded', metadata: { billflow_key: form.get('metadata[billflow_key]') }, created: Math.floor(Date.now() / 1000) };
      this.refunds.push(refund);
      return send(200, refund);
    }
    send(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname})` } });
  }

  private createIntent(form: URLSearchParams, key: string | undefined, send: (s: number, b: unknown) => void, res: ServerResponse): void {
    const customer = form.get('customer');
    const pm = form.get('payment_method');
    if (customer === 'cus_missing') return send(400, { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'customer', message: "No such customer: 'cus_missing'" } });
    if (pm === 'pm_5xx') return send(500, { error: { type: 'api_error', message: 'An unknown error occurred' } });
    if (key) this.createsPerKey.set(key, (this.createsPerKey.get(key) ?? 0) + 1);
    const declined = pm === 'pm_card_chargeDeclinedInsufficientFunds' ? 'insufficient_funds' : pm === 'pm_card_chargeDeclined' ? 'generic_decline' : null;
    const pi: Intent = {
      id: `pi_${this.intents.length + 1}`, object: 'payment_intent', amount: Number(form.get('amount')), currency: form.get('currency')!,
      customer, payment_method: pm, status: declined ? 'requires_payment_method' : 'succeeded', created: Math.floor(Date.now() / 1000), livemode: false,
      metadata: { billflow_invoice_id: form.get('metadata[billflow_invoice_id]') ?? '', billflow_key: form.get('metadata[billflow_key]') ?? '' },
      last_payment_error: declined ? { type: 'card_error', code: 'card_declined', decline_code: declined, message: declined === 'insufficient_funds' ? 'Your card has insufficient funds.' : 'Your card was declined.' } : null,
    };
    this.intents.push(pi);
    if (pm === 'pm_lost' || pm === 'pm_lost_always') {
      // Charged, but the answer never arrives. Stripe keeps the result under the key: the SDK's
      // one retry of a closed connection (same key) gets the replay — except for pm_lost_always.
      if (key) this.replies.set(key, { status: 200, body: JSON.stringify(pi) });
      res.destroy();
      return;
    }
    if (declined) return send(402, { error: { ...pi.last_payment_error, payment_intent: pi } });
    send(200, pi);
  }
}
