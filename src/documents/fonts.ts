import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BillflowError } from '../errors.ts';

/**
 * The fonts documents are set in. They come from npm packages (TTF files: Typst reads TTF/OTF,
 * not WOFF2), never from the machine's system fonts, so a PDF looks the same on every host.
 * Typst embeds only the glyphs a document uses (subsetting), so the 13 MB of font files below
 * cost a few KB per PDF. Templates name the families ("Noto Sans", "Noto Sans Devanagari",
 * "Noto Sans JP") and
 * set `fallback: false`, which keeps any other font out.
 */
export const FONT_FILES: readonly string[] = [
  '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  '@expo-google-fonts/noto-sans/400Regular_Italic/NotoSans_400Regular_Italic.ttf',
  '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  '@expo-google-fonts/noto-sans-devanagari/400Regular/NotoSansDevanagari_400Regular.ttf',
  '@expo-google-fonts/noto-sans-devanagari/700Bold/NotoSansDevanagari_700Bold.ttf',
  // Kanji and kana: 5.5 MB. One weight only: a second (bold) subset cost a Japanese invoice
  // ~7 KB and took it over 30 KB; bold Japanese text is drawn with a stroke instead (lib.typ).
  '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
];

const require = createRequire(import.meta.url);
let cached: Buffer[] | null = null;

/** The font files' bytes, read once per thread. */
export function loadFonts(): Buffer[] {
  if (cached) return cached;
  cached = FONT_FILES.map((spec) => {
    try {
      return readFileSync(require.resolve(spec));
    } catch (error) {
      throw new BillflowError('fonts_missing', `font ${spec} not found: run npm install (${(error as Error).message})`, { httpStatus: 500 });
    }
  });
  return cached;
}
