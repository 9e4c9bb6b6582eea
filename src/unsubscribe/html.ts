/**
 * @module The small HTML shell of Qatra's public pages (unsubscribe, preferences, outbox): escaped
 * text only, no scripts, works without CSS.
 */

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function page(title: string, body: string, options: { dir?: 'ltr' | 'rtl'; lang?: string } = {}): string {
  return `<!doctype html>
<html lang="${escapeHtml(options.lang ?? 'en')}" dir="${options.dir ?? 'ltr'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:start}button{font-size:1rem;padding:.5rem 1rem}fieldset{border:1px solid #ddd;margin:1rem 0}</style>
</head>
<body>
${body}
</body>
</html>`;
}
