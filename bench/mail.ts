/**
 * @module Direct mail benchmark (issue 17): N personalised Arabic letters (A4, DIN 5008 window) →
 * one print-ready PDF each. N = 1,000 (`--size large`: 10,000; QATRA_BENCH_MAIL_PIECES overrides).
 * Per backend (sqlite; postgres when QATRA_BENCH_DATABASE_URL or QATRA_TEST_DATABASE_URL is set):
 * N contacts with Saudi postal addresses are written to the store, then read back page by page
 * (keyset on id, 500 a page) and each becomes a piece: address checked (`checkSendable`) and
 * formatted by the country's convention, Liquid over the template with the contact's name and a
 * personal URL, a QR code drawn for it, and the piece printed by the renderer (Chromium, batches of
 * 25, 2 pages) and cut back to its own PDF.
 *
 * Baseline, in the same run: the renderer alone printing the first contact's piece N times (at most
 * 1,000: a rate needs no more; same batching; two rounds, the faster kept), so the ratio is what the store, the address, Liquid and the QR codes cost on top of
 * Chromium. Figures: `pieces_per_s` (baseline, ratio), `mb_per_piece` (mean PDF size),
 * `node_peak_rss_mb` (this process, from getrusage) and `total_peak_rss_mb` (this process plus
 * Chromium's processes, VmRSS sampled every 250 ms from /proc; shared pages counted once per process,
 * so it over-states). The bench fails if a piece fails or is not one page, or if this process
 * goes over 500 MB.
 *
 * Then the send half (./mail-send.ts): the same letters through the send pipeline to a print
 * directory's day's batch, closed and dropped by the worker task, against the same baseline.
 * `--part render` or `--part send` runs one half only.
 */
import fs from 'node:fs';
import pino from 'pino';
import { systemClock } from '../src/core/clock.js';
import { parseConfig } from '../src/config/config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { DialectName } from '../src/store/store.js';
import { toJson } from '../src/core/json.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { freshDatabase } from '../test/backends.js';
import { testSecretBox } from '../test/secret-key.js';
import { createLiquid } from '../src/templates/engine.js';
import { templateGlobals } from '../src/templates/render.js';
import { pieceVariables, renderMailContent, toPieceSource } from '../src/templates/render-mail.js';
import type { TemplateContent } from '../src/templates/template.js';
import { toContact } from '../src/contacts/contact.js';
import { checkSendable } from '../src/contacts/postal-address-validate.js';
import { formatPostalAddress } from '../src/contacts/postal-address-format.js';
import { createMailRenderer, type MailRenderer, type PieceSource } from '../src/channels/mail/render/renderer.js';
import { benchBackends, figure, type Bench, type BenchContext } from './run.js';
import { benchSend } from './mail-send.js';

const MB = 1024 * 1024;
const PAGE = 500;

const TEMPLATE: TemplateContent = {
  paper: 'letter-a4',
  defaultLocale: 'ar',
  returnAddress: ['متجر Qatra · ص.ب 1 · الرياض 11564'],
  body: `<h1 style="font-size:18pt">مرحبا {{ contact.first_name }}،</h1>
<p>شكرا لتسوقك من متجر Qatra. طلبك رقم {{ contact.order }} جاهز، وخصمك القادم ١٥٪ على منتجات Apple وSamsung حتى ٣١ ديسمبر.</p>
<p>امسح الرمز أو زر {{ piece.url }} واستخدم الرمز <b>{{ piece.promo_code }}</b>.</p>
<div style="width:28mm;height:28mm">{{ piece.qr_svg | raw }}</div>
<p>مع التحية،<br>فريق Qatra</p>`,
};

const FIRST = ['أحمد', 'فاطمة', 'محمد', 'نورة', 'خالد', 'سارة', 'عبدالله', 'ريم'];
const DISTRICTS = ['العليا', 'الملز', 'النخيل', 'الورود', 'السليمانية'];

/** VmRSS of this process and every descendant (Chromium's), in bytes. */
function treeRss(): { self: number; total: number } {
  const kb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  const children = (pid: number): number[] => {
    try {
      return fs.readdirSync(`/proc/${pid}/task`).flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      return [];
    }
  };
  let total = 0;
  const self = kb(process.pid) * 1024;
  const todo = [process.pid];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    try {
      total += kb(pid) * 1024;
    } catch {
      /* exited meanwhile */
    }
    todo.push(...children(pid));
  }
  return { self, total };
}

function rssSampler() {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, treeRss().total)), 250);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, treeRss().total);
    },
  };
}

interface Printed {
  seconds: number;
  bytes: number;
}

async function printAll(renderer: MailRenderer, pieces: AsyncIterable<PieceSource[]>): Promise<Printed> {
  let bytes = 0;
  const started = process.hrtime.bigint();
  // The next page of pieces is prepared (store, Liquid, QR codes) while Chromium prints this one.
  const it = pieces[Symbol.asyncIterator]();
  let next = it.next();
  for (;;) {
    const step = await next;
    if (step.done) break;
    next = it.next();
    for (const r of await renderer.render(step.value)) {
      if (!r.ok) throw new Error(`piece ${r.id} failed: ${r.reason}`);
      if (r.pages !== 1) throw new Error(`piece ${r.id} has ${r.pages} pages, expected 1`);
      bytes += r.pdf.byteLength;
    }
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes };
}

async function benchBackend(kind: DialectName, ctx: BenchContext, n: number, renderer: MailRenderer, baseline: () => Promise<number>): Promise<void> {
  const database = await freshDatabase(kind, { pgPoolMax: 5 });
  const store = database.store;
  try {
    const deps = { store, signals: defaultSignals(store), secretBox: testSecretBox(), clock: systemClock, log: pino({ level: 'silent' }), config: parseConfig({}), metrics: createMetrics() };
    const ws = (await createWorkspace(deps, { name: 'bench', postalAddress: 'Qatra, PO Box 1, Riyadh 11564' })).id;
    const now = Date.now();
    for (let at = 0; at < n; at += PAGE) {
      const rows = Array.from({ length: Math.min(PAGE, n - at) }, (_, k) => {
        const i = at + k;
        return {
          id: `ct_mail${String(i).padStart(7, '0')}`,
          workspace_id: ws,
          user_id: `u${i}`,
          email: null,
          phone: null,
          timezone: null,
          locale: 'ar-SA',
          attributes: toJson({ first_name: FIRST[i % FIRST.length], order: String(100000 + i) }),
          postal_address: toJson({
            name: `${FIRST[i % FIRST.length]} الحربي`,
            lines: [`${1000 + (i % 9000)} طريق الملك فهد`, `حي ${DISTRICTS[i % DISTRICTS.length]}`],
            city: 'الرياض',
            postcode: String(11000 + (i % 900)),
            country: 'SA',
          }),
          created_at: now,
          updated_at: now,
        };
      });
      await store.db.insertInto('contacts').values(rows).execute();
    }
    const liquid = createLiquid({}, { html: true });
    const workspace = { name: 'bench', postalAddress: 'Qatra, PO Box 1, Riyadh 11564' };
    async function* pieces(): AsyncGenerator<PieceSource[]> {
      let after = '';
      for (;;) {
        const rows = await store.db.selectFrom('contacts').selectAll().where('workspace_id', '=', ws).where('id', '>', after).orderBy('id').limit(PAGE).execute();
        if (rows.length === 0) return;
        after = rows.at(-1)!.id;
        const out: PieceSource[] = [];
        for (const row of rows) {
          const contact = toContact(row);
          const sendable = checkSendable(contact.address);
          if (!sendable.ok) throw new Error(`${contact.id}: ${sendable.reason}`);
          const addressLines = formatPostalAddress(sendable.address, { senderCountry: 'SA', senderLanguage: 'ar' });
          const piece = await pieceVariables({ url: `https://q.example/m/${contact.id.slice(7)}`, promoCode: `QATRA-${contact.id.slice(-5)}`, addressLines });
          const rendered = renderMailContent(liquid, TEMPLATE, '', { ...templateGlobals({ contact, workspace }), piece }, 'bench');
          out.push(toPieceSource(contact.id, rendered, addressLines));
        }
        yield out;
      }
    }
    const rss = rssSampler();
    const run = await printAll(renderer, pieces());
    const totalPeak = rss.stop();
    const nodePeak = process.resourceUsage().maxRSS * 1024;
    const base = await baseline();
    const emit = (name: string, value: number, unit: string, baseline?: number) =>
      ctx.emit(figure({ bench: 'mail', backend: kind, figure: name, value, unit, ...(baseline !== undefined ? { baseline } : {}) }));
    emit('pieces_per_s', n / run.seconds, 'pieces/s', base);
    emit('mb_per_piece', run.bytes / n / MB, 'MB');
    emit('node_peak_rss_mb', nodePeak / MB, 'MB');
    emit('total_peak_rss_mb', totalPeak / MB, 'MB');
    if (nodePeak > 500 * MB) throw new Error(`peak RSS ${Math.round(nodePeak / MB)} MB is over 500 MB`);
  } finally {
    await database.drop();
  }
}

const BASELINE_PIECES = 1_000;

export const run: Bench = async (ctx) => {
  const n = Number(process.env.QATRA_BENCH_MAIL_PIECES ?? (ctx.size === 'large' ? 10_000 : 1_000));
  const renderer = createMailRenderer();
  try {
    // Warm Chromium (launch, fonts) outside every measurement.
    const [warm] = await renderer.render([{ id: 'warm', format: 'letter-a4', lang: 'ar', dir: 'rtl', html: '<p>سلام</p>', address: ['x'] }]);
    if (!warm!.ok) throw new Error(warm!.reason);
    let baselineRate: number | undefined;
    const baseline = async () => {
      if (baselineRate !== undefined) return baselineRate;
      const liquid = createLiquid({}, { html: true });
      const addressLines = ['أحمد الحربي', '1000 طريق الملك فهد', 'حي العليا', 'الرياض 11000'];
      const piece = await pieceVariables({ url: 'https://q.example/m/0000000', promoCode: 'QATRA-00000', addressLines });
      const rendered = renderMailContent(
        liquid,
        TEMPLATE,
        '',
        { ...templateGlobals({ contact: { attributes: { first_name: 'أحمد', order: '100000' } }, workspace: { name: 'bench', postalAddress: '' } }), piece },
        'bench',
      );
      const one = toPieceSource('same', rendered, addressLines);
      // A rate, so a sample of at most 1,000 pieces: with --size large, two rounds of 10,000 would
      // add 20 minutes to a run and measure nothing more (the renderer's rate does not depend on N).
      const m = Math.min(n, BASELINE_PIECES);
      async function* same(): AsyncGenerator<PieceSource[]> {
        for (let at = 0; at < m; at += PAGE) yield Array.from({ length: Math.min(PAGE, m - at) }, (_, k) => ({ ...one, id: `same${at + k}` }));
      }
      // Two rounds, the faster kept: on a shared machine the ratio then errs against the full pipeline.
      const rounds = [await printAll(renderer, same()), await printAll(renderer, same())];
      baselineRate = Math.max(...rounds.map((r) => m / r.seconds));
      return baselineRate;
    };
    const part = ctx.options.part ?? 'all';
    if (!['all', 'render', 'send'].includes(part)) throw new Error(`--part must be render, send or all, got ${part}`);
    for (const kind of benchBackends()) {
      if (part !== 'send') await benchBackend(kind, ctx, n, renderer, baseline);
      if (part !== 'render') await benchSend(kind, ctx, n, renderer, TEMPLATE, baseline);
    }
  } finally {
    await renderer.close();
  }
};
