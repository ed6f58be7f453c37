import type { Command } from 'commander';
import { BillflowError } from '../errors.ts';
import { renderCreditNotePdf } from '../documents/index.ts';
import { getInvoice, issueCreditNote, listCreditNotes, type CreditNote } from '../invoices/index.ts';
import { formatMinor, toMinorUnits } from '../money/format.ts';
import { openContext, type GlobalOptions } from './context.ts';
import { intOption } from './options.ts';

interface CreditNoteFlags {
  full?: boolean;
  amount?: string;
  amountMinor?: string;
  line?: string[];
  reason?: string;
  issueDate?: string;
  pdf?: boolean;
  list?: boolean;
  json?: boolean;
}

/** '3:2' → { lineNo: 3, quantity: 2 } (the invoice line number and how many of it to credit). */
function parseLine(raw: string, i: number): { lineNo: number; quantity: number } {
  const m = /^(\d+):(\d+)$/.exec(raw);
  if (!m) {
    const message = `expected LINE_NO:QUANTITY such as 2:1, got '${raw}'`;
    throw new BillflowError('invalid_input', `--line: ${message}`, { details: [{ field: `lines[${i}]`, message }] });
  }
  return { lineNo: Number(m[1]), quantity: Number(m[2]) };
}

function summary(c: CreditNote): string {
  const money = (v: number) => formatMinor(v, c.currency, 'en');
  const settled = [c.receivableMinor ? `${money(c.receivableMinor)} off the amount due` : '', c.customerCreditMinor ? `${money(c.customerCreditMinor)} to customer credit` : '']
    .filter(Boolean).join(', ');
  return `${c.number} against ${c.invoiceNumber}: ${money(c.totalMinor)} (tax ${money(c.taxMinor)}) — ${settled}; ` +
    `invoice now credited ${money(c.invoice.creditedMinor)} of ${money(c.invoice.totalMinor)}, amount due ${money(c.invoice.amountDueMinor)} (${c.invoice.paymentStatus})`;
}

/** `billflow credit-note INVOICE_ID --full | --amount X | --line NO:QTY… --reason TEXT`, and `--list`. */
export function registerCreditNote(program: Command, global: () => GlobalOptions): void {
  program
    .command('credit-note')
    .argument('<invoiceId>', 'the invoice to credit')
    .description('issue a credit note against an invoice (all of it, an amount, or line quantities) and write its PDF; or --list its credit notes')
    .option('--full', 'credit everything still creditable on the invoice')
    .option('--amount <amount>', "tax-inclusive amount in the invoice's currency, e.g. 118.00 (tax is reversed in proportion)")
    .option('--amount-minor <n>', 'the same in minor units, e.g. 11800')
    .option('--line <no:qty>', 'credit QTY of invoice line NO (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--reason <text>', 'why (shown on the credit note)')
    .option('--issue-date <date>', 'YYYY-MM-DD (default today)')
    .option('--no-pdf', 'do not render the PDF now (a worker renders it)')
    .option('--list', "list the invoice's credit notes instead")
    .option('--json', 'print JSON')
    .action(async (invoiceIdRaw: string, flags: CreditNoteFlags) => {
      const invoiceId = intOption('invoiceId', invoiceIdRaw, 1);
      const ctx = await openContext(global(), {}, { quiet: true });
      try {
        if (flags.list) {
          const { creditNotes } = await listCreditNotes(ctx.pool, invoiceId);
          process.stdout.write(flags.json ? `${JSON.stringify(creditNotes)}\n` : `${creditNotes.map(summary).join('\n') || 'no credit notes'}\n`);
          return;
        }
        const input: Record<string, unknown> = { invoiceId, reason: flags.reason ?? '' };
        if (flags.full) input.full = true;
        if (flags.amount !== undefined) input.amountMinor = toMinorUnits(flags.amount, (await getInvoice(ctx.pool, invoiceId)).currency);
        if (flags.amountMinor !== undefined) input.amountMinor = intOption('--amount-minor', flags.amountMinor, 1);
        if (flags.line !== undefined) input.lines = flags.line.map(parseLine);
        if (flags.issueDate !== undefined) input.issueDate = flags.issueDate;
        const note = await issueCreditNote({ db: ctx.pool }, input);
        const pdf = flags.pdf === false ? null
          : await renderCreditNotePdf({ db: ctx.pool, settings: ctx.config.documents, dataDir: ctx.config.dataDir, log: ctx.log }, note.id);
        const stored = pdf && { path: pdf.path, location: pdf.location, sizeBytes: pdf.size, sha256: pdf.sha256, pages: pdf.pages };
        process.stdout.write(flags.json ? `${JSON.stringify({ ...note, pdf: stored ?? note.pdf })}\n`
          : `${summary(note)}\n${stored ? `PDF: ${stored.location} (${stored.sizeBytes} bytes, sha256 ${stored.sha256})\n` : ''}`);
      } finally {
        await ctx.close();
      }
    });
}
