/**
 * @module Rasterises sample direct mail to docs/screenshots/ (`node --import tsx scripts/mail-screenshots.ts`):
 * an Arabic A4 letter (DIN 5008 window address, mixed Arabic, digits and Latin brand names, QR code)
 * and a Persian A6 postcard (front and back, 3 mm bleed), printed by the real renderer and turned
 * into PNGs by poppler's pdftoppm, so the pictures show exactly what the print house gets.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMailRenderer } from '../src/channels/mail/render/renderer.js';
import { createLiquid } from '../src/templates/engine.js';
import { templateGlobals } from '../src/templates/render.js';
import { pieceVariables, renderMailContent, toPieceSource } from '../src/templates/render-mail.js';
import { formatPostalAddress } from '../src/contacts/postal-address-format.js';
import type { TemplateContent } from '../src/templates/template.js';

const out = join(import.meta.dirname, '..', 'docs', 'screenshots');
mkdirSync(out, { recursive: true });

const letter: TemplateContent = {
  paper: 'letter-a4',
  defaultLocale: 'ar',
  returnAddress: ['متجر Qatra · ص.ب 1 · الرياض 11564'],
  body: `<p style="text-align:left;direction:ltr">الرياض، ١٥ ديسمبر 2025</p>
<h1 style="font-size:18pt">مرحبا {{ contact.first_name }}،</h1>
<p>شكرا لتسوقك من متجر Qatra. طلبك رقم {{ contact.order }} جاهز للاستلام، وخصمك القادم ١٥٪ على منتجات Apple وSamsung حتى ٣١ ديسمبر. لا تفوت العرض!</p>
<p>امسح الرمز أو زر <span dir="ltr">{{ piece.url }}</span> واستخدم الرمز <b>{{ piece.promo_code }}</b>.</p>
<img src="{{ piece.qr_image }}" style="width:28mm;height:28mm">
<p>مع التحية،<br><b>فريق Qatra</b></p>`,
};
const postcard: TemplateContent = {
  paper: 'postcard-a6',
  defaultLocale: 'fa',
  front: `<div style="position:absolute;inset:0;background:linear-gradient(135deg,#0b6e4f,#08415c);color:#fff;padding:14mm 12mm">
<h1 style="font-size:26pt;margin:0">یلدا مبارک!</h1><p style="font-size:13pt">۲۰٪ تخفیف ویژه در فروشگاه Digikala</p></div>`,
  body: `<div style="position:absolute;left:8mm;top:10mm;width:64mm;font-size:9.5pt">
<p>سلام {{ contact.first_name }} عزیز،</p><p>کد تخفیف <b>{{ piece.promo_code }}</b> تا ۳۰ آذر ۱۴۰۴ معتبر است.</p>
<img src="{{ piece.qr_image }}" style="width:20mm;height:20mm"></div>`,
};

const renderer = createMailRenderer();
const liquid = createLiquid({}, { html: true });
const dir = mkdtempSync(join(tmpdir(), 'qatra-shots-'));
try {
  const jobs = [
    {
      name: 'mail-letter-ar',
      content: letter,
      contact: { attributes: { first_name: 'فاطمة', order: '١٠٤٥٢' } },
      address: { name: 'فاطمة الحربي', lines: ['٨٢٢٨ طريق الإمام علي', 'حي العليا'], city: 'الرياض', postcode: '12643-2121', country: 'SA' },
    },
    {
      name: 'mail-postcard-fa',
      content: postcard,
      contact: { attributes: { first_name: 'مریم' } },
      address: { name: 'مریم احمدی', lines: ['خیابان ولیعصر، پلاک ۱۲'], city: 'تهران', postcode: '19667-34511', country: 'IR' },
    },
  ];
  for (const job of jobs) {
    const addressLines = formatPostalAddress(job.address, { senderCountry: job.address.country });
    const piece = await pieceVariables({ url: 'https://q.example/m/7Hk2p', promoCode: 'YALDA-20', addressLines });
    const rendered = renderMailContent(liquid, job.content, '', { ...templateGlobals({ contact: job.contact, workspace: { name: 'Qatra', postalAddress: '' } }), piece }, job.name);
    const [r] = await renderer.render([toPieceSource(job.name, rendered, addressLines)]);
    if (!r!.ok) throw new Error(r!.reason);
    const pdf = join(dir, `${job.name}.pdf`);
    writeFileSync(pdf, r!.pdf);
    const pages = r!.pages === 1 ? [''] : ['-front', '-back'];
    pages.forEach((suffix, i) => {
      execFileSync('pdftoppm', ['-png', '-r', '80', '-f', String(i + 1), '-l', String(i + 1), '-singlefile', pdf, join(out, `${job.name}${suffix}`)]);
      console.log(`docs/screenshots/${job.name}${suffix}.png`);
    });
  }
} finally {
  await renderer.close();
  rmSync(dir, { recursive: true, force: true });
}
