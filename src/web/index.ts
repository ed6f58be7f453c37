import { readFileSync } from 'node:fs';

export { cachedOverview, readOverview, type Overview } from './overview.ts';

let html: string | null = null;
/** The dashboard: one static page that polls GET /api/v1/overview with the key it is given. */
export function dashboardHtml(): string {
  html ??= readFileSync(new URL('./dashboard.html', import.meta.url), 'utf8');
  return html;
}
